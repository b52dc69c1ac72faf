"""Draw the Home Assistant brand icons for the Red Light Doctor integration.

Home Assistant shows ``brand/icon.png`` (256x256) and ``brand/icon@2x.png``
(512x512) for custom integrations. This script draws the artwork with Pillow
so the icons can be regenerated reproducibly instead of being edited by hand:
a dark slate smart plug with a bright red "status light" badge that carries a
white medical cross.

Run from the repository root::

    .venv/bin/python scripts/draw_brand_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

MASTER_SIZE = 2048
OUTPUT_SIZES: dict[str, int] = {"icon.png": 256, "icon@2x.png": 512}
BRAND_DIR = (
    Path(__file__).resolve().parent.parent
    / "custom_components"
    / "red_light_doctor"
    / "brand"
)

Color = tuple[int, int, int, int]
TRANSPARENT: Color = (0, 0, 0, 0)
SLATE: Color = (69, 90, 100, 255)
SLATE_LIGHT: Color = (120, 144, 156, 255)
SLATE_DARK: Color = (38, 50, 56, 255)
RED: Color = (229, 57, 53, 255)
WHITE: Color = (255, 255, 255, 255)


Box = tuple[float, float, float, float]


def _circle(cx: float, cy: float, r: float) -> Box:
    """Return the bounding box of a circle."""
    return (cx - r, cy - r, cx + r, cy + r)


def _centred_box(cx: float, cy: float, width: float, height: float) -> Box:
    """Return the bounding box of a ``width`` x ``height`` rectangle."""
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def draw_master(size: int = MASTER_SIZE) -> Image.Image:
    """Draw the artwork on a transparent ``size`` x ``size`` canvas."""
    image = Image.new("RGBA", (size, size), TRANSPARENT)
    draw = ImageDraw.Draw(image)
    s = size / 1000  # geometry below is expressed on a 1000-unit grid

    # Smart plug body: a rounded square in the upper-left part of the canvas.
    draw.rounded_rectangle((0, 0, 860 * s, 860 * s), radius=200 * s, fill=SLATE)

    # Recessed socket face (dark rim, lighter dish) with two vertical slots.
    face_c, face_r = 405 * s, 285 * s
    draw.ellipse(_circle(face_c, face_c, face_r), fill=SLATE_DARK)
    draw.ellipse(_circle(face_c, face_c, face_r - 28 * s), fill=SLATE_LIGHT)
    slot_w, slot_h = 64 * s, 180 * s
    for slot_cx in (face_c - 105 * s, face_c + 105 * s):
        draw.rounded_rectangle(
            _centred_box(slot_cx, face_c, slot_w, slot_h),
            radius=slot_w / 2,
            fill=SLATE_DARK,
        )

    # Red status-light badge in the lower-right corner. Drawing a transparent
    # circle first (ImageDraw replaces pixels, it does not blend) cuts a gap
    # into the body so the badge stays distinct at small sizes.
    badge_r, gap = 250 * s, 45 * s
    badge_c = size - badge_r
    draw.ellipse(_circle(badge_c, badge_c, badge_r + gap), fill=TRANSPARENT)
    draw.ellipse(_circle(badge_c, badge_c, badge_r), fill=RED)

    # White medical cross inside the badge.
    arm_len, arm_w = 300 * s, 100 * s
    for width, height in ((arm_w, arm_len), (arm_len, arm_w)):
        draw.rounded_rectangle(
            _centred_box(badge_c, badge_c, width, height),
            radius=22 * s,
            fill=WHITE,
        )
    return image


def trim_to_square(image: Image.Image) -> Image.Image:
    """Crop away empty margins and centre the artwork on a square canvas."""
    bbox = image.getchannel("A").getbbox()
    if bbox is None:
        raise ValueError("the artwork is empty")
    cropped = image.crop(bbox)
    side = max(cropped.size)
    square = Image.new("RGBA", (side, side), TRANSPARENT)
    offset = ((side - cropped.width) // 2, (side - cropped.height) // 2)
    square.paste(cropped, offset)
    return square


def main() -> None:
    """Render the master artwork and write every icon size."""
    master = trim_to_square(draw_master())
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    for name, px in OUTPUT_SIZES.items():
        path = BRAND_DIR / name
        master.resize((px, px), Image.Resampling.LANCZOS).save(path, optimize=True)
        print(f"wrote {path} ({px}x{px}, {path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
