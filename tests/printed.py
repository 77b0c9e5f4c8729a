"""The sample minutes as a person would get them: printed to PDF by a real Chromium, and scanned.

The markdown is rendered to HTML (markdown-it, the archive's own dialect) and printed with Playwright's
page.pdf(): A4, running header (the document's title) and footer (页码) on every page, paragraphs
indented by two characters as Chinese documents are. `scan()` rasterises such a PDF with pdfium at
150 dpi into an image-only PDF (Pillow), as a scanner would give it.
"""

from html import escape
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
CSS = """
body { font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC', serif; font-size: 12pt; line-height: 1.6; }
h1 { font-size: 20pt; text-align: center; } h2 { font-size: 16pt; } h3 { font-size: 14pt; }
p { text-indent: 2em; margin: 0 0 0.3em 0; text-align: justify; }
"""
HEADER = ('<div style="font-size:9px; width:100%; text-align:center; color:#444; '
          'font-family:\'Noto Sans CJK SC\'">{title}</div>')
FOOTER = ('<div style="font-size:9px; width:100%; text-align:center; font-family:\'Noto Sans CJK SC\'">'
          '- <span class="pageNumber"></span> -</div>')


def html_of(markdown: str) -> str:
    from archive.ingest.dialect import markdown_parser
    return f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>{CSS}</style>' \
           f'<body>{markdown_parser().render(markdown)}</body></html>'


def print_pdf(markdown: str, out: Path, title: str) -> Path:
    """Print the markdown to a text PDF at `out` with Chromium (headers and footers on every page)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.set_content(html_of(markdown))
        page.pdf(path=str(out), format="A4", display_header_footer=True,
                 header_template=HEADER.format(title=escape(title)), footer_template=FOOTER,
                 margin={"top": "25mm", "bottom": "25mm", "left": "25mm", "right": "25mm"})
        browser.close()
    return out


def scan(pdf: Path, out: Path, dpi: int = 150) -> Path:
    """An image-only PDF of `pdf`'s pages rendered at `dpi`, in greyscale as scanners save them."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    images = [doc[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(doc))]
    doc.close()
    images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return out
