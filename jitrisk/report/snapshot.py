"""One picture on one slide: the desktop's "snapshot of the view on show".

The app grabs the view as a PNG; :func:`write_picture_slide` puts it on a
16:9 PowerPoint slide under a title, scaled to fit with its aspect ratio kept,
and a caption line that names what it shows (workbook, scenario, trials,
seed), so a slide pasted into a deck still says where its numbers come from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from pptx.util import Inches

from .output import write_checked
from .pptx import MARGIN, MUTED, SLIDE_H, SLIDE_W, _slide, _text

PathLike = str | os.PathLike[str]
#: Inches kept for the title above and the caption below the picture.
TITLE_SPACE, CAPTION_SPACE = 1.1, 0.55


def picture_box(width_px: int, height_px: int) -> tuple[float, float, float, float]:
    """Left, top, width and height (inches) of a ``width_px`` x ``height_px`` picture
    fitted between the title and the caption, centred, aspect ratio kept."""
    if width_px <= 0 or height_px <= 0:
        raise ValueError(f"a picture needs a size, got {width_px}x{height_px}")
    room_w = SLIDE_W - 2 * MARGIN
    room_h = SLIDE_H - TITLE_SPACE - CAPTION_SPACE
    scale = min(room_w / width_px, room_h / height_px)
    w, h = width_px * scale, height_px * scale
    return (SLIDE_W - w) / 2, TITLE_SPACE + (room_h - h) / 2, w, h


def write_picture_slide(
    image: PathLike, title: str, caption: str, path: PathLike, input_path: PathLike | None = None
) -> Path:
    """Write a one-slide deck with ``image`` (PNG) under ``title`` and over ``caption``.

    Written atomically like every report (never over ``input_path``).
    """
    from pptx import Presentation

    with Image.open(image) as im:
        width_px, height_px = im.size

    def make() -> Callable[[Path], object]:
        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
        slide = _slide(prs, title)
        left, top, w, h = picture_box(width_px, height_px)
        slide.shapes.add_picture(
            str(image), Inches(left), Inches(top), width=Inches(w), height=Inches(h)
        )
        _text(
            slide, caption, MARGIN, SLIDE_H - CAPTION_SPACE + 0.05, SLIDE_W - 2 * MARGIN, 0.4,
            size=11, colour=MUTED,
        )  # fmt: skip
        return lambda target: prs.save(str(target))

    return write_checked(path, input_path, make)
