"""Makes bot/fonts/MusterCJKSC-Regular.otf, the font the summary charts draw Chinese with.

A fresh server has no CJK font, and the whole Noto Sans CJK is 16 MB (20 MB as the Debian
collection): this keeps the Simplified Chinese face's glyphs for GB2312, GBK and the whole
CJK Unified Ideographs block (every hanzi a unit's name is likely to use, about 22,000
characters, 5 MB), drops OpenType layout and hinting (matplotlib uses neither), and
renames it, as the OFL asks of a Modified Version.

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb noto
    pip install fonttools
    python deploy/subset_cjk_font.py \
        noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc bot/fonts/MusterCJKSC-Regular.otf

Made from Debian's fonts-noto-cjk 1:20220127+repack1-1 (Noto Sans CJK 2.004).
"""

from __future__ import annotations

import contextlib
import sys

from fontTools import subset  # type: ignore[import-not-found]
from fontTools.ttLib import TTCollection  # type: ignore[import-not-found]

FAMILY, POSTSCRIPT = "Muster CJK SC", "MusterCJKSC-Regular"
SOURCE = "Noto Sans CJK SC"


def encodable(codec: str, leads: range, trails: range) -> set[int]:
    """Every character of a two-byte Chinese encoding."""
    out = set()
    for lead in leads:
        for trail in trails:
            with contextlib.suppress(UnicodeDecodeError):  # an unassigned code
                out.add(ord(bytes([lead, trail]).decode(codec)))
    return out


def characters() -> set[int]:
    return (
        set(range(0x20, 0x7F))  # ASCII: a name mixing Latin and hanzi
        | set(range(0x2000, 0x2070))  # general punctuation
        | set(range(0x3000, 0x3040))  # CJK punctuation
        | set(range(0xFF00, 0xFFF0))  # full-width forms: （）：，
        | set(range(0x4E00, 0xA000))  # CJK Unified Ideographs
        | encodable("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
        | encodable("gbk", range(0x81, 0xFF), range(0x40, 0xFF))
    )


def main(source: str, target: str) -> None:
    [font] = [f for f in TTCollection(source).fonts if f["name"].getDebugName(1) == SOURCE]
    options = subset.Options()
    options.layout_features = []  # matplotlib does no OpenType shaping
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    names = font["name"]
    renamed = {
        1: FAMILY,
        2: "Regular",
        3: f"{POSTSCRIPT};subset of {SOURCE} 2.004",
        4: f"{FAMILY} Regular",
        6: POSTSCRIPT,
        10: f"Subset of {SOURCE} 2.004 (GB2312, GBK, CJK Unified Ideographs) for Muster",
    }
    names.names = [r for r in names.names if r.nameID not in (*renamed, 16, 17, 18, 21, 22)]
    for name_id, text in renamed.items():
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    for attribute, value in (("FullName", f"{FAMILY} Regular"), ("FamilyName", FAMILY)):
        if hasattr(top, attribute):
            setattr(top, attribute, value)
    for sub in getattr(top, "FDArray", []):
        sub.FontName = f"{POSTSCRIPT}-{sub.FontName.split('-')[-1]}"
    font.save(target)


if __name__ == "__main__":
    main(*sys.argv[1:3])
