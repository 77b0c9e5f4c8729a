import shutil
from pathlib import Path

import pytest

from archive.engines import open_engine
from archive.engines.base import Engine
from archive.index.pipeline import ingest
from archive.search.service import SearchService

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SAMPLE = next(CORPUS.glob("*.md"))
SHARED = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Engine:
    """A real index of the sample corpus, built once for the read-only tests."""
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    engine = open_engine(tmp_path_factory.mktemp("index"))
    summary = ingest([corpus], engine)
    assert summary.added == 1 and not summary.failed
    return engine


@pytest.fixture(scope="session")
def backend(sample_index) -> SearchService:
    return SearchService(sample_index)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


# Minutes with a full header (时间/地点/主持人/出席/请假/记录), decisions and an open item: used by the
# page, fields and PostgreSQL tests alike.
COUNTY_MINUTES = """# 某县人民政府常务会议纪要

时间：2024年3月5日上午
地点：江西省九江市彭泽县政府三楼会议室
主持人：张明华
出席：李建国、王芳（县政府办）、赵强
请假：孙丽
记录：周婷

## 一、研究全县森林防火工作

会议听取了县林业局关于森林防火工作的汇报。

## 会议议定事项

一、同意县林业局提出的森林防火巡查方案。

二、由县财政局安排专项资金用于护林员补助。

## 遗留问题

护林员培训方案待县林业局下次会议汇报，责任人：李建国，完成时间：4月底。
"""
