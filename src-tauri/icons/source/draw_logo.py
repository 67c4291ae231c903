"""Draws the Switchyard logo (1024x1024 PNG): a track that splits at a switch into two
branches, each ending at a node. Regenerate the icons with:
    python3 src-tauri/icons/source/draw_logo.py /tmp/logo.png
    (cd ui && npx tauri icon /tmp/logo.png -o ../src-tauri/icons && rm -r ../src-tauri/icons/android ../src-tauri/icons/ios)
"""
import sys

from PIL import Image, ImageDraw

S = 4  # supersampling factor
N = 1024 * S


def px(v):
    return int(v * S)


def main(out):
    img = Image.new("RGBA", (N, N), (0, 0, 0, 0))

    # Rounded-square background with a vertical gradient (indigo -> teal).
    grad = Image.new("RGBA", (N, N))
    top, bottom = (49, 46, 129), (13, 148, 136)
    gd = ImageDraw.Draw(grad)
    for y in range(N):
        t = y / (N - 1)
        gd.line([(0, y), (N, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)) + (255,))
    mask = Image.new("L", (N, N), 0)
    ImageDraw.Draw(mask).rounded_rectangle([px(64), px(64), px(960), px(960)], radius=px(200), fill=255)
    img.paste(grad, (0, 0), mask)

    d = ImageDraw.Draw(img)
    white = (255, 255, 255, 255)
    amber = (251, 191, 36, 255)
    w = px(64)

    # Trunk from the left into the switch point, then two branches curving up and down.
    start, switch = (px(210), px(512)), (px(470), px(512))
    d.line([start, switch], fill=white, width=w)
    for end_y in (px(330), px(694)):
        # Stamp discs along a smoothstep curve: a clean thick stroke without polyline seams.
        steps = 600
        for i in range(steps + 1):
            t = i / steps
            x = switch[0] + (px(780) - switch[0]) * t
            y = switch[1] + (end_y - switch[1]) * t * t * (3 - 2 * t)
            d.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=white)
        r = px(74)
        d.ellipse([px(780) - r, end_y - r, px(780) + r, end_y + r], fill=amber, outline=white, width=px(22))

    # Source node.
    r = px(74)
    d.ellipse([start[0] - r, start[1] - r, start[0] + r, start[1] + r], fill=white)

    img.resize((1024, 1024), Image.LANCZOS).save(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "logo.png")
