"""Makes the small PDFs of tests/pdf.rs with reportlab (pip install reportlab).

Each is one page in the non-embedded STSong-Light font with the UniGB-UCS2-H
CMap (what Java and iText generators write), digits in the non-embedded
Helvetica, and the same small 第二十条第（一）项 table:

- ruled.pdf: the table fully ruled, the first label wrapped inside its cell
  with its numbers on the middle line, a page number at the bottom.
- borderless.pdf: the same table with no rules, columns only as whitespace.
- rotated.pdf: ruled.pdf's content on a page with /Rotate 90 drawn turned
  back, so it shows upright.
- owner_only.pdf: ruled.pdf encrypted (RC4 128) with an owner password and
  an empty user password: it opens without a password and must be read.
- encrypted.pdf: the same with a user password: it must be refused.
- scan.pdf: two pages that are only an image each (a scan, no text layer).

Run from the repository root: python3 tests/pdf/make.py
"""

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from PIL import Image

HERE = Path(__file__).parent
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
W, H = A4

ROWS = [
    ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
    ("规章", "12", "0", "1234"),
    ("行政规范性文件", "7", "3", "56"),
]
XS = [60, 220, 320, 420, 520]


def text(c, x, y, s, size=10.5):
    """CJK in STSong-Light, ASCII digits in Helvetica, one string per run."""
    for ch in s:
        font = "Helvetica" if ch.isascii() else "STSong-Light"
        c.setFont(font, size)
        c.drawString(x, y, ch)
        x += pdfmetrics.stringWidth(ch, font, size)


def table(c, ruled):
    text(c, 60, H - 60, "某县人民政府2023年政府信息公开工作年度报告", 14)
    text(c, 60, H - 90, "二、主动公开政府信息情况")
    text(c, 60, H - 110, "第二十条第（一）项")
    top = H - 125
    heights = [30, 45, 30]
    y = top
    for r, row in enumerate(ROWS):
        h = heights[r]
        for j, cell in enumerate(row):
            x = XS[j] + 6
            if r == 1 and j == 0:
                # A label wrapped over two lines; its numbers sit between.
                text(c, x, y - 15, "规章（含")
                text(c, x, y - 35, "部门规章）")
            elif j == 0:
                text(c, x, y - h / 2 - 4, cell)
            else:
                text(c, x + 20, y - h / 2 - 4, cell)
        y -= h
    if ruled:
        c.setLineWidth(0.75)
        y = top
        for h in [0] + heights:
            y -= h
            c.line(XS[0], y, XS[-1], y)
        for x in XS:
            c.line(x, top, x, top - sum(heights))
    text(c, 60, top - sum(heights) - 40, "三、收到和处理政府信息公开申请情况")
    text(c, W / 2 - 10, 40, "- 1 -")


def make(name, ruled, rotate=False, encrypt=None):
    c = canvas.Canvas(
        str(HERE / name), pagesize=(H, W) if rotate else A4, encrypt=encrypt
    )
    c.setAuthor("xxgk tests")
    if rotate:
        c.setPageRotation(90)
        # Draw in the unrotated frame: turn the landscape media back.
        c.translate(H, 0)
        c.rotate(90)
    table(c, ruled)
    c.showPage()
    c.save()


make("ruled.pdf", True)
make("borderless.pdf", False)
make("rotated.pdf", True, rotate=True)
make(
    "owner_only.pdf",
    True,
    encrypt=StandardEncryption("", ownerPassword="owner", strength=128),
)
make(
    "encrypted.pdf",
    True,
    encrypt=StandardEncryption("secret", ownerPassword="owner", strength=128),
)

scan = canvas.Canvas(str(HERE / "scan.pdf"), pagesize=A4)
image = Image.new("L", (60, 80), 255)
for x in range(10, 50):
    image.putpixel((x, 20), 0)
for _ in range(2):
    scan.drawImage(ImageReader(image), 0, 0, W, H)
    scan.showPage()
scan.save()
