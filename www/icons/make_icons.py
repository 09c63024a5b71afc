#!/usr/bin/env python3
"""Draws KD Playground's icons from one description: icon.svg, icon-192.png, icon-512.png and
icon-maskable-512.png (the same drawing, full bleed and shrunk into the safe circle of a maskable
icon). Python's standard library only; run it again after changing the drawing:

    python3 www/icons/make_icons.py

The drawing: a large teacher and a small student (white discs) joined by the blue of what flows
from one to the other, each showing a soft label as three bars (0.70, 0.20, 0.10) in the class
colours of the page's Okabe-Ito palette; the background is the page's accent blue.
The PNGs are rasterised here with analytic anti-aliasing (a signed distance per shape), so that
they match the SVG without a browser and come out the same on every run.
"""
import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

ACCENT = '#0072b2'   # --accent, the page's blue (also the manifest's theme colour)
FLOW = '#56b4e9'     # sky blue: the hard term's colour
WHITE = '#ffffff'
BARS = ['#e69f00', '#56b4e9', '#009e73']  # classes 0, 1, 2 of the palette
SOFT_LABEL = [0.70, 0.20, 0.10]

SIZE = 512
TEACHER = (196, 196, 120)  # centre x, y, radius (in a 512 × 512 box)
STUDENT = (352, 352, 72)
RING = 14                  # the flow's margin around each disc


def bars(cx, cy, r):
    """The soft label's three bars inside a disc: (x0, y0, x1, y1, colour)."""
    width, gap = r * 0.30, r * 0.10
    base = cy + r * 0.52
    tallest = r * 1.05
    left = cx - (3 * width + 2 * gap) / 2
    out = []
    for i, (p, colour) in enumerate(zip(SOFT_LABEL, BARS)):
        x0 = left + i * (width + gap)
        out.append((x0, base - tallest * p / SOFT_LABEL[0], x0 + width, base, colour))
    return out


def hull():
    """The flow: the convex hull of the two discs grown by RING, as two circles and the quad between them."""
    (ax, ay, ar), (bx, by, br) = TEACHER, STUDENT
    ar, br = ar + RING, br + RING
    dx, dy = bx - ax, by - ay
    d = math.hypot(dx, dy)
    ux, uy = dx / d, dy / d
    # outer tangents: the normal n makes n·u = (ar - br) / d
    c = (ar - br) / d
    s = math.sqrt(1 - c * c)
    quad = []
    for sign in (1, -1):
        nx, ny = c * ux - sign * s * uy, c * uy + sign * s * ux
        quad.append(((ax + ar * nx, ay + ar * ny), (bx + br * nx, by + br * ny)))
    (a1, b1), (a2, b2) = quad
    return (ax, ay, ar), (bx, by, br), [a1, b1, b2, a2]


def shapes(scale=1.0, full_bleed=False):
    """The drawing as a list of (kind, geometry, colour), in a 512 box; `scale` shrinks it about the centre."""
    def p(x, y):
        return (256 + (x - 256) * scale, 256 + (y - 256) * scale)

    out = [('rect', (0, 0, SIZE, SIZE, 0 if full_bleed else 112), ACCENT)]
    (ax, ay, ar), (bx, by, br), quad = hull()
    out.append(('hull', ((*p(ax, ay), ar * scale), (*p(bx, by), br * scale), [p(*q) for q in quad]), FLOW))
    for (cx, cy, r) in (TEACHER, STUDENT):
        out.append(('circle', (*p(cx, cy), r * scale), WHITE))
        for (x0, y0, x1, y1, colour) in bars(cx, cy, r):
            out.append(('rect', (*p(x0, y0), *p(x1, y1), 3 * scale), colour))
    return out


# ---------------------------------------------------------------- SVG

def svg(shape_list):
    f = lambda v: f'{v:.2f}'.rstrip('0').rstrip('.')
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">']
    for kind, g, colour in shape_list:
        if kind == 'rect':
            x0, y0, x1, y1, r = g
            rx = f' rx="{f(r)}"' if r else ''
            parts.append(f'<rect x="{f(x0)}" y="{f(y0)}" width="{f(x1 - x0)}" height="{f(y1 - y0)}"{rx} fill="{colour}"/>')
        elif kind == 'circle':
            cx, cy, r = g
            parts.append(f'<circle cx="{f(cx)}" cy="{f(cy)}" r="{f(r)}" fill="{colour}"/>')
        else:
            (ax, ay, ar), (bx, by, br), quad = g
            points = ' '.join(f'{f(x)},{f(y)}' for x, y in quad)
            parts.append(f'<g fill="{colour}"><circle cx="{f(ax)}" cy="{f(ay)}" r="{f(ar)}"/>'
                         f'<circle cx="{f(bx)}" cy="{f(by)}" r="{f(br)}"/><polygon points="{points}"/></g>')
    parts.append('</svg>')
    return '\n'.join(parts) + '\n'


# ---------------------------------------------------------------- raster

def sd_circle(x, y, cx, cy, r):
    return math.hypot(x - cx, y - cy) - r


def sd_round_rect(x, y, x0, y0, x1, y1, r):
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - r, (y1 - y0) / 2 - r
    qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
    return math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - r


def sd_convex(x, y, poly):
    """Signed distance to a convex polygon (exact inside, a lower bound outside: enough where circles cover corners)."""
    # orientation-independent: the distance to each edge's line, signed to the side of the centroid
    gx = sum(p[0] for p in poly) / len(poly)
    gy = sum(p[1] for p in poly) / len(poly)
    worst = -math.inf
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]):
        nx, ny = y1 - y0, x0 - x1
        n = math.hypot(nx, ny)
        nx, ny = nx / n, ny / n
        if (gx - x0) * nx + (gy - y0) * ny > 0:
            nx, ny = -nx, -ny
        worst = max(worst, (x - x0) * nx + (y - y0) * ny)
    return worst


def distance(kind, g, x, y):
    if kind == 'rect':
        return sd_round_rect(x, y, *g)
    if kind == 'circle':
        return sd_circle(x, y, *g)
    a, b, quad = g
    return min(sd_circle(x, y, *a), sd_circle(x, y, *b), sd_convex(x, y, quad))


def bbox(kind, g):
    if kind == 'rect':
        return g[0], g[1], g[2], g[3]
    if kind == 'circle':
        return g[0] - g[2], g[1] - g[2], g[0] + g[2], g[1] + g[2]
    (ax, ay, ar), (bx, by, br), _ = g
    return min(ax - ar, bx - br), min(ay - ar, by - br), max(ax + ar, bx + br), max(ay + ar, by + br)


def rgb(colour):
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def raster(shape_list, size, opaque):
    """Premultiplied RGBA floats, shapes painted in order; coverage = clamp(0.5 − signed distance in pixels)."""
    k = SIZE / size
    pixels = [[0.0, 0.0, 0.0, 0.0] for _ in range(size * size)]
    for kind, g, colour in shape_list:
        r, gr, b = rgb(colour)
        x0, y0, x1, y1 = bbox(kind, g)
        for py in range(max(0, int(y0 / k) - 1), min(size, int(y1 / k) + 2)):
            for px in range(max(0, int(x0 / k) - 1), min(size, int(x1 / k) + 2)):
                d = distance(kind, g, (px + 0.5) * k, (py + 0.5) * k) / k
                a = min(1.0, max(0.0, 0.5 - d))
                if a <= 0:
                    continue
                p = pixels[py * size + px]
                p[0] = r * a + p[0] * (1 - a)
                p[1] = gr * a + p[1] * (1 - a)
                p[2] = b * a + p[2] * (1 - a)
                p[3] = a + p[3] * (1 - a)
    rows = []
    for py in range(size):
        row = bytearray()
        for p in pixels[py * size:(py + 1) * size]:
            alpha = p[3]
            un = [c / alpha if alpha > 0 else 0 for c in p[:3]]
            if opaque:
                row += bytes(round(255 * c) for c in un)
            else:
                row += bytes(round(255 * c) for c in un) + bytes([round(255 * alpha)])
        rows.append(bytes(row))
    return rows


def png(rows, size, opaque):
    """A PNG (8-bit RGB or RGBA), each row filtered with whichever of None, Sub, Up compresses best."""
    bpp = 3 if opaque else 4
    data = bytearray()
    previous = bytes(len(rows[0]))
    for row in rows:
        candidates = [(0, row),
                      (1, bytes((row[i] - (row[i - bpp] if i >= bpp else 0)) & 255 for i in range(len(row)))),
                      (2, bytes((row[i] - previous[i]) & 255 for i in range(len(row))))]
        kind, filtered = min(candidates, key=lambda c: sum(v if v < 128 else 256 - v for v in c[1]))
        data += bytes([kind]) + filtered
        previous = row

    def chunk(tag, body):
        return struct.pack('>I', len(body)) + tag + body + struct.pack('>I', zlib.crc32(tag + body) & 0xffffffff)

    header = struct.pack('>IIBBBBB', size, size, 8, 2 if opaque else 6, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(bytes(data), 9)) + chunk(b'IEND', b'')


def main():
    (HERE / 'icon.svg').write_text(svg(shapes()), encoding='utf-8')
    for name, size, drawing, opaque in [
        ('icon-192.png', 192, shapes(), False),
        ('icon-512.png', 512, shapes(), False),
        # maskable: full bleed, the drawing within the central circle of 80 % of the width that every mask keeps
        ('icon-maskable-512.png', 512, shapes(scale=0.78, full_bleed=True), True),
    ]:
        (HERE / name).write_bytes(png(raster(drawing, size, opaque), size, opaque))
    for name in ['icon.svg', 'icon-192.png', 'icon-512.png', 'icon-maskable-512.png']:
        print(f'{(HERE / name).stat().st_size:>7} bytes  {HERE / name}')


if __name__ == '__main__':
    main()
