"""Rebuild the demo minutes' Word and PDF copies in corpus/示例纪要/ from the markdown beside this script.

The demo shows what the archive does with a folder as offices keep them: one file arrives as .docx
(pandoc, from pypandoc-binary, a test dependency), one as a text PDF printed by Chromium (tests/printed.py).
Run after editing a source: `.venv/bin/python scripts/demo/make.py`.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.printed import print_pdf  # noqa: E402

HERE = Path(__file__).parent
OUT = ROOT / "corpus" / "示例纪要"


def main() -> None:
    import pypandoc
    word, pdf = sorted(HERE.glob("*.md"))
    pypandoc.convert_file(str(word), "docx", format="markdown", outputfile=str(OUT / f"{word.stem}.docx"))
    print_pdf(pdf.read_text("utf-8"), OUT / f"{pdf.stem}.pdf", title=pdf.stem)
    print(f"已生成 {word.stem}.docx、{pdf.stem}.pdf → {OUT}")


if __name__ == "__main__":
    main()
