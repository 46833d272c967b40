"""Synthetic aerial street world written in the VisDrone2019-DET format.

Every image is a near-nadir drone view of a street grid: asphalt roads with
lane markings, sidewalks, building roofs, parking lots, plazas and parks,
trees whose canopies hide what lies beneath, and many small road users. The
image is written as ``images/<name>.jpg`` and its labels as
``annotations/<name>.txt`` with one VisDrone row per box::

    left,top,width,height,score,category,truncation,occlusion

Design choices (the VisDrone paper and the spec leave these open):

* **Resolution.** Images are drawn at the *teacher* ("2x") resolution. The
  ZoomInNet student sees them downsampled by two, the teacher at native size,
  so the teacher's view holds real extra information, as it does on real
  VisDrone (originals of ~1500 px seen at 1024 vs 512).
* **Look-alike pairs.** car/van, pedestrian/people and
  tricycle/awning-tricycle share shape, size distribution, colours, shadow
  length and placement. The second class of each pair carries a 1-px pattern
  of +a/-a luminance (van: transverse roof ribs; people: a checker of folded
  limbs on torso and legs, standing in for VisDrone's "non-standing person";
  awning-tricycle: a striped awning over the cargo bed). Sprites are placed
  at even pixel coordinates and every patterned region has even bounds, so
  each aligned 2x2 block holds two +a and two -a pixels: a 2x downsample
  (area or bilinear at exactly 0.5) maps both classes of a pair to identical
  pixels. The distinguishing signal lives only in the detail band that the
  1x view discards (see ``tests/datasets/test_visdrone.py``).
* **Occlusion** is measured on the drawn pixels: the share of an object's
  in-image pixels covered by tree canopies (objects never overlap each other
  outside ignored regions). VisDrone levels: 0 = none, 1 = 1-50 %, 2 = more.
  Objects with more than 85 % covered are neither drawn nor labelled.
* **Truncation** is the share of the box outside the frame: 0 = none,
  1 = up to 50 %; objects more than half outside are not placed. Boxes are
  amodal (full extent, clipped to the image).
* **Ignored regions** (category 0, score 0) are dense crowds on plazas and
  jam-packed parking lots: drawn, labelled only as one region box, as the
  VisDrone annotators do for areas too dense to box.
* **others** (category 11): hand carts and small trailers, about one per
  image.
* Large objects (area > 96^2 px) do not occur at the default 640x360 size:
  like VisDrone, the set is dominated by small boxes (see the generation
  statistics); AP_large is then reported as -1 by pycocotools.
"""
import dataclasses
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

IGNORED, PEDESTRIAN, PEOPLE, BICYCLE, CAR, VAN, TRUCK, TRICYCLE, \
    AWNING_TRICYCLE, BUS, MOTOR, OTHERS = range(12)

VISDRONE_CATEGORIES = ('ignored regions', 'pedestrian', 'people', 'bicycle',
                       'car', 'van', 'truck', 'tricycle', 'awning-tricycle',
                       'bus', 'motor', 'others')

# Pattern-carrying class -> its plain look-alike.
LOOKALIKE_PAIRS = {VAN: CAR, PEOPLE: PEDESTRIAN, AWNING_TRICYCLE: TRICYCLE}

# Vehicle colours keep every channel in [40, 215] so the +-a pattern of the
# patterned classes never clips (clipping would change the 2x2 mean).
_VEHICLE_COLOURS = np.array(
    [(210, 210, 204), (168, 170, 174), (112, 114, 120), (58, 60, 66),
     (168, 48, 44), (48, 72, 152), (56, 112, 74), (196, 168, 66),
     (140, 96, 62)], np.float32)
_BUS_COLOURS = np.array([(205, 190, 60), (205, 205, 200), (180, 60, 50),
                         (60, 140, 90), (60, 100, 170)], np.float32)
_CARGO_COLOURS = np.array([(200, 200, 196), (60, 100, 160), (70, 130, 80),
                           (200, 120, 50), (150, 150, 150)], np.float32)
_CLOTHES = np.array([(200, 60, 60), (60, 90, 170), (210, 210, 205),
                     (70, 70, 75), (190, 170, 70), (60, 140, 90),
                     (150, 80, 150), (120, 110, 100)], np.float32)
_OTHERS_COLOURS = np.array([(225, 120, 40), (40, 180, 190), (150, 60, 170),
                            (200, 200, 60)], np.float32)
_ROOF_COLOURS = np.array([(150, 70, 55), (120, 120, 125), (95, 105, 120),
                          (170, 150, 120), (185, 185, 180), (90, 80, 70)],
                         np.float32)
_GLASS = np.array((40, 46, 56), np.float32)
_HAIR = np.array((52, 42, 36), np.float32)
_TYRE = np.array((30, 30, 32), np.float32)

_PATTERN_AMPLITUDE = 40.0
_MAX_HIDDEN = 0.85
_LANE_M = 3.5


@dataclasses.dataclass(frozen=True)
class AerialWorldConfig:
    """Image size and appearance of the world.

    Args:
        width, height: image size in pixels (the "2x" resolution).
        ppm_range: pixels per metre, sampled log-uniformly per image (flight
            altitude), given for a 640 px wide image and scaled with width.
        jpeg_quality: JPEG quality of the written images.
        noise_std: sensor noise (grey levels).
    """
    width: int = 640
    height: int = 360
    ppm_range: Tuple[float, float] = (4.0, 10.0)
    jpeg_quality: int = 92
    noise_std: float = 2.0


@dataclasses.dataclass
class Sprite:
    """An object's top-down appearance in its own frame."""
    category: int
    rgb: np.ndarray  # (h, w, 3) float32
    alpha: np.ndarray  # (h, w) bool
    height_m: float  # physical height, sets the shadow length


@dataclasses.dataclass
class PlacedObject:
    sprite: Sprite
    x0: int
    y0: int
    truncation: int = 0
    occlusion: int = 0


def _even(pixels: float, minimum: int = 2) -> int:
    return max(minimum, int(round(pixels / 2.0)) * 2)


def _pattern(shape: Tuple[int, int], kind: str) -> np.ndarray:
    """+1/-1 pattern whose every aligned 2x2 block sums to zero."""
    rows, cols = np.indices(shape)
    if kind == 'columns':
        return np.where(cols % 2 == 0, 1.0, -1.0).astype(np.float32)
    if kind == 'rows':
        return np.where(rows % 2 == 0, 1.0, -1.0).astype(np.float32)
    return np.where((rows + cols) % 2 == 0, 1.0, -1.0).astype(np.float32)


def _amplitude(colour: np.ndarray) -> float:
    return float(min(_PATTERN_AMPLITUDE, colour.min(), 255.0 - colour.max()))


def _box_alpha(h: int, w: int) -> np.ndarray:
    alpha = np.ones((h, w), bool)
    if h >= 6 and w >= 6:  # rounded corners
        alpha[[0, 0, -1, -1], [0, -1, 0, -1]] = False
    return alpha


def vehicle_sprite(category: int, length: int, width: int,
                   body: Sequence[float]) -> Sprite:
    """Car or van heading +x: rear window, roof, windshield, hood.

    A van differs from a car only by transverse 1-px ribs on its roof.
    ``length`` and ``width`` must be even.
    """
    body = np.asarray(body, np.float32)
    rgb = np.empty((width, length, 3), np.float32)
    rgb[:] = body
    rear0 = _even(0.10 * length)
    rear1 = rear0 + _even(0.12 * length)
    shield1 = length - _even(0.18 * length)
    shield0 = max(rear1 + 2, shield1 - _even(0.16 * length))
    rgb[:, rear0:rear1] = _GLASS
    rgb[:, shield0:shield1] = _GLASS
    if category == VAN:
        rgb[:, rear1:shield0] += _amplitude(body) * _pattern(
            (width, shield0 - rear1), 'columns')[..., None]
    elif category != CAR:
        raise ValueError(f'not a car/van category: {category}')
    return Sprite(category, rgb, _box_alpha(width, length), 1.6)


def tricycle_sprite(category: int, length: int, width: int,
                    cab: Sequence[float], cargo: Sequence[float]) -> Sprite:
    """Tricycle heading +x: cargo bed, then cab with the driver's head.

    An awning-tricycle differs only by longitudinal 1-px awning stripes over
    the cargo bed. ``length`` and ``width`` must be even.
    """
    cab = np.asarray(cab, np.float32)
    cargo = np.asarray(cargo, np.float32)
    rgb = np.empty((width, length, 3), np.float32)
    bed = _even(0.64 * length)
    rgb[:, :bed] = cargo
    rgb[:, bed:] = cab
    hy, hx = width // 2, bed + (length - bed) // 2
    rgb[hy - 1:hy + 1, hx - 1:hx + 1] = _HAIR
    if category == AWNING_TRICYCLE:
        rgb[:, :bed] += _amplitude(cargo) * _pattern((width, bed),
                                                     'rows')[..., None]
    elif category != TRICYCLE:
        raise ValueError(f'not a tricycle category: {category}')
    # square corners: a rounded corner would unbalance the awning's 2x2 blocks
    return Sprite(category, rgb, np.ones((width, length), bool), 1.8)


def person_sprite(category: int, height: int, width: int,
                  shirt: Sequence[float], legs: Sequence[float]) -> Sprite:
    """Upright person as an oblique drone camera sees it: head, torso, legs.

    ``people`` (VisDrone: non-standing person) differs from ``pedestrian``
    only by a 1-px checker on torso and legs. Sizes must be even.
    """
    rgb = np.empty((height, width, 3), np.float32)
    head = _even(0.22 * height)
    torso = _even(0.38 * height)
    rgb[:head] = _HAIR
    rgb[head:head + torso] = np.asarray(shirt, np.float32)
    rgb[head + torso:] = np.asarray(legs, np.float32)
    alpha = np.ones((height, width), bool)
    if width >= 4:
        alpha[:head, :width // 4] = False
        alpha[:head, width - width // 4:] = False
    if category == PEOPLE:
        body = rgb[head:]
        amp = min(_amplitude(np.asarray(shirt, np.float32)),
                  _amplitude(np.asarray(legs, np.float32)))
        body += amp * _pattern(body.shape[:2], 'checker')[..., None]
    elif category != PEDESTRIAN:
        raise ValueError(f'not a person category: {category}')
    return Sprite(category, rgb, alpha, 1.7)


def _truck_sprite(rng, length, width) -> Sprite:
    rgb = np.empty((width, length, 3), np.float32)
    cab = _even(0.22 * length)
    rgb[:, :length - cab] = _CARGO_COLOURS[rng.integers(len(_CARGO_COLOURS))]
    rgb[:, length - cab:] = _VEHICLE_COLOURS[rng.integers(len(
        _VEHICLE_COLOURS))]
    rgb[:, length - cab - 1] *= 0.5  # gap between cab and box
    rgb[:, length - 2:] = _GLASS
    return Sprite(TRUCK, rgb, _box_alpha(width, length), 3.2)


def _bus_sprite(rng, length, width) -> Sprite:
    rgb = np.empty((width, length, 3), np.float32)
    rgb[:] = _BUS_COLOURS[rng.integers(len(_BUS_COLOURS))]
    rgb[:, length - 2:] = _GLASS
    a0, a1 = int(0.35 * length), int(0.6 * length)
    rgb[width // 4:width - width // 4, a0:a1] = (225, 225, 228)  # roof A/C
    return Sprite(BUS, rgb, _box_alpha(width, length), 3.2)


def _two_wheeler_sprite(rng, category, length, width) -> Sprite:
    rgb = np.empty((width, length, 3), np.float32)
    alpha = np.zeros((width, length), bool)
    mid = width // 2
    if category == MOTOR:
        rgb[:] = _VEHICLE_COLOURS[rng.integers(len(_VEHICLE_COLOURS))] * 0.6
        alpha[max(0, mid - 1):mid + 1 + (width > 2)] = True
    else:  # bicycle: thin frame, dark tyres at both ends
        rgb[:] = (150, 150, 155)
        alpha[mid] = True
        alpha[:, :2] = alpha[:, -2:] = True
        rgb[:, :2] = rgb[:, -2:] = _TYRE
    if category == MOTOR or rng.random() < 0.5:  # rider
        c = length // 2
        rgb[:, c - 1:c + 1] = _CLOTHES[rng.integers(len(_CLOTHES))]
        alpha[:, c - 1:c + 1] = True
        rgb[mid, c - 1:c + 1] = _HAIR
    return Sprite(category, rgb, alpha, 1.4)


def _others_sprite(rng, ppm) -> Sprite:
    h, w = _even(rng.uniform(1.0, 1.6) * ppm), _even(rng.uniform(1.2, 2.6) *
                                                     ppm)
    rgb = np.empty((h, w, 3), np.float32)
    rgb[:] = _OTHERS_COLOURS[rng.integers(len(_OTHERS_COLOURS))]
    rgb[[0, -1], :] = rgb[:, [0, -1]] = _TYRE  # frame
    diag = np.round(np.linspace(0, h - 1, w)).astype(int)
    rgb[diag, np.arange(w)] = _TYRE  # cross brace
    return Sprite(OTHERS, rgb, np.ones((h, w), bool), 1.0)


def sample_sprite(category: int, rng: np.random.Generator,
                  ppm: float) -> Sprite:
    """Sample one object of ``category`` at ``ppm`` pixels per metre."""
    if category in (CAR, VAN):
        length = _even(rng.uniform(4.0, 5.0) * ppm, 10)
        width = _even(rng.uniform(1.7, 2.0) * ppm, 4)
        return vehicle_sprite(
            category, length, width, _VEHICLE_COLOURS[rng.integers(
                len(_VEHICLE_COLOURS))] + rng.uniform(-6, 6, 3))
    if category in (TRICYCLE, AWNING_TRICYCLE):
        return tricycle_sprite(
            category, _even(rng.uniform(2.6, 3.2) * ppm, 8),
            _even(rng.uniform(1.1, 1.4) * ppm, 4),
            _VEHICLE_COLOURS[rng.integers(len(_VEHICLE_COLOURS))],
            _CARGO_COLOURS[rng.integers(len(_CARGO_COLOURS))])
    if category in (PEDESTRIAN, PEOPLE):
        return person_sprite(category, _even(rng.uniform(1.6, 1.9) * ppm, 6),
                             _even(rng.uniform(0.55, 0.7) * ppm, 2),
                             _CLOTHES[rng.integers(len(_CLOTHES))],
                             _CLOTHES[rng.integers(len(_CLOTHES))] * 0.7)
    if category == TRUCK:
        return _truck_sprite(rng, _even(rng.uniform(6.5, 9.5) * ppm, 16),
                             _even(rng.uniform(2.3, 2.5) * ppm, 6))
    if category == BUS:
        return _bus_sprite(rng, _even(rng.uniform(10.0, 12.5) * ppm, 24),
                           _even(rng.uniform(2.5, 2.6) * ppm, 6))
    if category in (MOTOR, BICYCLE):
        return _two_wheeler_sprite(rng, category,
                                   _even(rng.uniform(1.7, 2.1) * ppm, 6),
                                   _even(rng.uniform(0.6, 0.8) * ppm, 2))
    if category == OTHERS:
        return _others_sprite(rng, ppm)
    raise ValueError(f'no sprite for VisDrone category {category}')


def _rotate(sprite: Sprite, quarter_turns: int) -> Sprite:
    k = quarter_turns % 4
    return dataclasses.replace(
        sprite,
        rgb=np.ascontiguousarray(np.rot90(sprite.rgb, k)),
        alpha=np.ascontiguousarray(np.rot90(sprite.alpha, k)))


def _smooth_noise(rng: np.random.Generator, h: int, w: int,
                  cell: float) -> np.ndarray:
    """Low-frequency noise in [-1, 1]: a coarse grid upsampled bilinearly."""
    from PIL import Image
    gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    grid = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    return np.asarray(Image.fromarray(grid, 'F').resize((w, h),
                                                        Image.BILINEAR))


def _intervals_between(cuts: List[Tuple[int, int]],
                       size: int) -> List[Tuple[int, int]]:
    """Free intervals of [0, size) left between sorted (start, end) cuts."""
    free, start = [], 0
    for a, b in sorted(cuts):
        if a - start >= 4:
            free.append((start, a))
        start = max(start, b)
    if size - start >= 4:
        free.append((start, size))
    return free


class _Scene:
    """One image under construction."""

    # Category mixes by place (relative frequencies).
    ROAD_MIX = {CAR: 40, VAN: 14, TRUCK: 5, BUS: 3, TRICYCLE: 5,
                AWNING_TRICYCLE: 4, MOTOR: 14, BICYCLE: 4}
    WALK_MIX = {PEDESTRIAN: 40, PEOPLE: 26, BICYCLE: 8, MOTOR: 10,
                OTHERS: 3}
    PARK_MIX = {CAR: 60, VAN: 25, TRICYCLE: 8, AWNING_TRICYCLE: 7}

    def __init__(self, cfg: AerialWorldConfig, rng: np.random.Generator):
        self.cfg, self.rng = cfg, rng
        self.h, self.w = cfg.height, cfg.width
        lo, hi = np.log(cfg.ppm_range)
        self.ppm = float(np.exp(rng.uniform(lo, hi))) * cfg.width / 640.0
        self.density = rng.uniform(0.6, 1.4)
        sun = rng.uniform(0, 2 * np.pi)
        self.sun = np.array([np.sin(sun), np.cos(sun)])  # (dy, dx)
        self.canvas = np.empty((self.h, self.w, 3), np.float32)
        self.occupied = np.zeros((self.h, self.w), bool)
        self.canopy = np.zeros((self.h, self.w), bool)
        self.trees: List[Tuple[float, float, float]] = []
        self.objects: List[PlacedObject] = []
        self.crowd: List[PlacedObject] = []  # drawn inside ignored regions
        self.ignored: List[Tuple[int, int, int, int]] = []
        self.areas: Dict[str, List[Tuple[int, int, int, int]]] = {
            'sidewalk': [], 'plaza': [], 'park': [], 'parking': []}
        self.lanes: List[Tuple[str, float, int, int]] = []

    def px(self, metres: float) -> int:
        return max(1, int(round(metres * self.ppm)))

    def choose(self, mix: Dict[int, float]) -> int:
        cats = list(mix)
        p = np.array([mix[c] for c in cats], float)
        return cats[self.rng.choice(len(cats), p=p / p.sum())]

    # ------------------------------------------------------------ layout
    def build_layout(self) -> None:
        rng = self.rng
        ground = np.array((128, 122, 104), np.float32) + rng.uniform(-12, 12)
        self.canvas[:] = ground
        self.canvas += 14 * _smooth_noise(rng, self.h, self.w,
                                          self.px(6))[..., None]
        cuts = {'v': [], 'h': []}
        n_roads = {'v': int(rng.integers(1, 3)), 'h': int(rng.integers(0, 3))}
        for axis in ('v', 'h'):
            size = self.w if axis == 'v' else self.h
            for _ in range(n_roads[axis]):
                lanes = int(rng.integers(1, 3))
                half = self.px(lanes * _LANE_M)
                walk = self.px(rng.uniform(2.5, 4.0))
                centre = int(rng.uniform(0.1, 0.9) * size)
                if any(abs(centre - (a + b) / 2) < 2 * (half + walk) + 8
                       for a, b in cuts[axis]):
                    continue
                cuts[axis].append((centre - half - walk, centre + half +
                                   walk))
                self._draw_road(axis, centre, half, walk, lanes)
        for x0, x1 in _intervals_between(cuts['v'], self.w):
            for y0, y1 in _intervals_between(cuts['h'], self.h):
                self._fill_block(x0, y0, x1, y1, depth=0)

    def _road_rect(self, axis: str, a: int, b: int) -> Tuple[slice, slice]:
        a, b = max(0, a), max(0, b)
        return ((slice(None), slice(a, b)) if axis == 'v' else
                (slice(a, b), slice(None)))

    def _draw_road(self, axis: str, centre: int, half: int, walk: int,
                   lanes: int) -> None:
        rng = self.rng
        size_along = self.h if axis == 'v' else self.w
        walk_colour = np.array((168, 164, 156), np.float32) + rng.uniform(
            -10, 10)
        for a in (centre - half - walk, centre + half):
            self.canvas[self._road_rect(axis, a, a + walk)] = walk_colour
            rect = (a, 0, a + walk, size_along) if axis == 'v' else (
                0, a, size_along, a + walk)
            self.areas['sidewalk'].append(rect)
            self._line_of_trees(axis, a, walk)
        asphalt = self._road_rect(axis, centre - half, centre + half)
        self.canvas[asphalt] = np.array((80, 82, 86), np.float32) + \
            rng.uniform(-8, 8)
        mark = max(1, int(round(0.15 * self.ppm)))
        dash = np.arange(size_along) % self.px(6) < self.px(3)
        lane_px = half / lanes
        for k in range(-lanes + 1, lanes):
            pos = int(round(centre + k * lane_px))
            sl = self._road_rect(axis, pos - mark // 2, pos - mark // 2 +
                                 mark)
            strip = self.canvas[sl]
            along = dash if k else np.ones_like(dash)
            colour = (205, 185, 80) if k == 0 else (220, 220, 220)
            if axis == 'v':
                strip[along] = colour
            else:
                strip[:, along] = colour
        for k in range(lanes):
            for sign in (-1, 1):  # right-hand traffic
                lane_centre = centre + sign * (k + 0.5) * lane_px
                self.lanes.append((axis, lane_centre, sign, int(lane_px)))

    def _line_of_trees(self, axis: str, a: int, walk: int) -> None:
        rng = self.rng
        if rng.random() > 0.5:
            return
        size_along = self.h if axis == 'v' else self.w
        pos = rng.uniform(0, self.px(8))
        while pos < size_along:
            across = a + walk * rng.uniform(0.3, 0.7)
            r = self.px(rng.uniform(2.0, 3.5))
            self.trees.append((across, pos, r) if axis == 'v' else (
                pos, across, r))
            pos += self.px(rng.uniform(7, 14))

    def _fill_block(self, x0: int, y0: int, x1: int, y1: int,
                    depth: int) -> None:
        rng = self.rng
        w, h = x1 - x0, y1 - y0
        if depth < 2 and max(w, h) > self.px(28) and rng.random() < 0.8:
            if w >= h:
                cut = int(x0 + w * rng.uniform(0.35, 0.65))
                self._fill_block(x0, y0, cut, y1, depth + 1)
                self._fill_block(cut, y0, x1, y1, depth + 1)
            else:
                cut = int(y0 + h * rng.uniform(0.35, 0.65))
                self._fill_block(x0, y0, x1, cut, depth + 1)
                self._fill_block(x0, cut, x1, y1, depth + 1)
            return
        kind = rng.choice(['building', 'parking', 'plaza', 'park'],
                          p=[0.4, 0.2, 0.2, 0.2])
        m = self.px(1)
        x0, y0, x1, y1 = x0 + m, y0 + m, x1 - m, y1 - m
        if x1 - x0 < 4 or y1 - y0 < 4:
            return
        region = self.canvas[y0:y1, x0:x1]
        if kind == 'building':
            roof = _ROOF_COLOURS[rng.integers(len(_ROOF_COLOURS))]
            region[:] = roof
            region[:, :] += 10 * _smooth_noise(rng, y1 - y0, x1 - x0,
                                               self.px(3))[..., None]
            if x1 - x0 > y1 - y0:  # ridge line along the long side
                region[(y1 - y0) // 2] *= 0.7
            else:
                region[:, (x1 - x0) // 2] *= 0.7
            region[[0, -1]] *= 0.8
            region[:, [0, -1]] *= 0.8
            self.occupied[y0:y1, x0:x1] = True
            for _ in range(int(rng.integers(0, 3))):  # A/C units
                s = self.px(rng.uniform(0.8, 1.6))
                ay = int(rng.integers(y0, max(y0 + 1, y1 - s)))
                ax = int(rng.integers(x0, max(x0 + 1, x1 - s)))
                self.canvas[ay:ay + s, ax:ax + s] = (205, 205, 200)
        elif kind == 'parking':
            region[:] = (112, 113, 116)
            stall = self.px(2.6)
            region[:, ::stall] = (215, 215, 215)
            self.areas['parking'].append((x0, y0, x1, y1))
        elif kind == 'plaza':
            region[:] = np.array((182, 172, 156), np.float32) + rng.uniform(
                -10, 10)
            tile = self.px(2)
            region[::tile] *= 0.93
            region[:, ::tile] *= 0.93
            self.areas['plaza'].append((x0, y0, x1, y1))
        else:
            region[:] = np.array((84, 122, 62), np.float32) + rng.uniform(
                -8, 8)
            region += 12 * _smooth_noise(rng, y1 - y0, x1 - x0,
                                         self.px(2))[..., None]
            self.areas['park'].append((x0, y0, x1, y1))
            area = (x1 - x0) * (y1 - y0) / self.ppm**2
            for _ in range(int(rng.poisson(area / 120))):
                self.trees.append((rng.uniform(x0, x1), rng.uniform(y0, y1),
                                   self.px(rng.uniform(2.0, 4.5))))

    def build_canopy(self) -> None:
        for cx, cy, r in self.trees:
            x0, x1 = max(0, int(cx - r)), min(self.w, int(cx + r) + 1)
            y0, y1 = max(0, int(cy - r)), min(self.h, int(cy + r) + 1)
            if x0 >= x1 or y0 >= y1:
                continue
            yy, xx = np.mgrid[y0:y1, x0:x1]
            self.canopy[y0:y1, x0:x1] |= (xx - cx)**2 + (yy - cy)**2 <= r * r

    # ------------------------------------------------------------ objects
    def try_place(self, sprite: Sprite, x0: int, y0: int,
                  crowd: bool = False) -> bool:
        """Place ``sprite`` with its top-left corner at (x0, y0) if allowed."""
        x0, y0 = x0 // 2 * 2, y0 // 2 * 2  # even grid, see module docstring
        sh, sw = sprite.alpha.shape
        cx0, cy0 = max(0, x0), max(0, y0)
        cx1, cy1 = min(self.w, x0 + sw), min(self.h, y0 + sh)
        if cx1 <= cx0 or cy1 <= cy0:
            return False
        inside = (cx1 - cx0) * (cy1 - cy0) / float(sw * sh)
        if inside < 0.5:
            return False
        alpha = sprite.alpha[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
        if crowd:
            self.crowd.append(PlacedObject(sprite, x0, y0))
            return True
        if self.occupied[max(0, cy0 - 1):cy1 + 1,
                         max(0, cx0 - 1):cx1 + 1].any():
            return False
        n_px = alpha.sum()
        hidden = (self.canopy[cy0:cy1, cx0:cx1] & alpha).sum() / max(1, n_px)
        self.occupied[cy0:cy1, cx0:cx1] = True
        if n_px == 0 or hidden > _MAX_HIDDEN:
            return False
        occlusion = 0 if hidden == 0 else (1 if hidden <= 0.5 else 2)
        self.objects.append(
            PlacedObject(sprite, x0, y0, int(inside < 1.0), occlusion))
        return True

    def populate(self) -> None:
        rng, ppm = self.rng, self.ppm
        for area in self.areas['plaza']:
            if rng.random() < 0.35:
                self._ignored_region(area, 'crowd')
        for area in self.areas['parking']:
            if rng.random() < 0.3:
                self._ignored_region(area, 'parking')
            else:
                self._parked_rows(area)
        for axis, centre, sign, lane_px in self.lanes:
            along = self.h if axis == 'v' else self.w
            pos = -self.px(3) + rng.exponential(self.px(10))
            while pos < along:
                cat = self.choose(self.ROAD_MIX)
                # np.rot90 turns a +x heading into -y: +y is three turns
                turns = (0 if sign > 0 else 2) if axis == 'h' else (
                    3 if sign > 0 else 1)
                sprite = _rotate(sample_sprite(cat, rng, ppm), turns)
                sh, sw = sprite.alpha.shape
                across = centre + rng.uniform(-0.15, 0.15) * lane_px
                if axis == 'h':
                    placed = self.try_place(sprite, int(pos),
                                            int(across - sh / 2))
                    size = sw
                else:
                    placed = self.try_place(sprite, int(across - sw / 2),
                                            int(pos))
                    size = sh
                gap = rng.exponential(self.px(12) / self.density)
                pos += (size if placed else self.px(1)) + self.px(1.5) + gap
        for kind, mix, rate in (('sidewalk', self.WALK_MIX, 0.03),
                                ('plaza', self.WALK_MIX, 0.015),
                                ('park', {PEDESTRIAN: 3, PEOPLE: 2}, 0.005)):
            for x0, y0, x1, y1 in self.areas[kind]:
                x0, y0 = max(0, x0), max(0, y0)
                x1, y1 = min(self.w, x1), min(self.h, y1)
                if x1 <= x0 or y1 <= y0:
                    continue
                area_m2 = (x1 - x0) * (y1 - y0) / ppm**2
                for _ in range(int(rng.poisson(rate * area_m2 *
                                               self.density))):
                    sprite = sample_sprite(self.choose(mix), rng, ppm)
                    if sprite.category in (BICYCLE, MOTOR, OTHERS):
                        sprite = _rotate(sprite, int(rng.integers(4)))
                    sh, sw = sprite.alpha.shape
                    self.try_place(sprite,
                                   int(rng.uniform(x0 - sw / 2, x1 - sw / 2)),
                                   int(rng.uniform(y0 - sh / 2, y1 - sh / 2)))
        if rng.random() < 0.7:  # one more "others" anywhere free
            for _ in range(3):
                sprite = _rotate(sample_sprite(OTHERS, rng, ppm),
                                 int(rng.integers(4)))
                if self.try_place(sprite, int(rng.uniform(0, self.w)),
                                  int(rng.uniform(0, self.h))):
                    break

    def _parked_rows(self, area: Tuple[int, int, int, int]) -> None:
        x0, y0, x1, y1 = area
        stall = self.px(2.6)
        for x in range(x0 + 1, x1 - 4, stall):
            if self.rng.random() < 0.35:
                continue
            sprite = _rotate(
                sample_sprite(self.choose(self.PARK_MIX), self.rng,
                              self.ppm), 1 if self.rng.random() < 0.5 else 3)
            y = y0 + 1 if self.rng.random() < 0.5 else y1 - 1 - \
                sprite.alpha.shape[0]
            self.try_place(sprite, x + 2, y)

    def _ignored_region(self, area: Tuple[int, int, int, int],
                        kind: str) -> None:
        rng = self.rng
        x0, y0, x1, y1 = area
        if kind == 'crowd':
            side = self.px(rng.uniform(6, 14))
            x0 = int(rng.uniform(x0, max(x0 + 1, x1 - side)))
            y0 = int(rng.uniform(y0, max(y0 + 1, y1 - side)))
            x1, y1 = min(x1, x0 + side), min(y1, y0 + side)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.w, x1), min(self.h, y1)
        if x1 - x0 < 4 or y1 - y0 < 4:
            return
        area_m2 = (x1 - x0) * (y1 - y0) / self.ppm**2
        if kind == 'crowd':
            count, mix = int(area_m2 * 1.2), {PEDESTRIAN: 1, PEOPLE: 1}
        else:
            count, mix = int(area_m2 / 5), self.PARK_MIX
        for _ in range(count):
            sprite = sample_sprite(self.choose(mix), rng, self.ppm)
            if kind == 'parking':
                sprite = _rotate(sprite, int(rng.integers(4)))
            sh, sw = sprite.alpha.shape
            self.try_place(sprite, int(rng.uniform(x0, max(x0 + 1, x1 - sw))),
                           int(rng.uniform(y0, max(y0 + 1, y1 - sh))),
                           crowd=True)
        self.occupied[y0:y1, x0:x1] = True
        self.ignored.append((x0, y0, x1 - x0, y1 - y0))

    # ------------------------------------------------------------ drawing
    def _shadow(self, obj: PlacedObject, strength: float = 0.6) -> None:
        length = obj.sprite.height_m * self.ppm * 0.35
        dy, dx = np.round(self.sun * length).astype(int)
        self._paste(obj.sprite.alpha, None, obj.x0 + dx, obj.y0 + dy,
                    strength)

    def _paste(self, alpha: np.ndarray, rgb: Optional[np.ndarray], x0: int,
               y0: int, shade: float = 1.0) -> None:
        sh, sw = alpha.shape
        cx0, cy0 = max(0, x0), max(0, y0)
        cx1, cy1 = min(self.w, x0 + sw), min(self.h, y0 + sh)
        if cx1 <= cx0 or cy1 <= cy0:
            return
        a = alpha[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
        dst = self.canvas[cy0:cy1, cx0:cx1]
        if rgb is None:
            dst[a] *= shade
        else:
            dst[a] = rgb[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0][a]

    def render(self) -> np.ndarray:
        everything = self.crowd + self.objects
        for obj in everything:
            self._shadow(obj)
        for obj in everything:
            self._paste(obj.sprite.alpha, obj.sprite.rgb, obj.x0, obj.y0)
        tree_shadow = np.zeros_like(self.canopy)
        for cx, cy, r in self.trees:  # canopy shadows, then canopies
            dy, dx = self.sun * r * 0.8
            x0, x1 = max(0, int(cx + dx - r)), min(self.w,
                                                   int(cx + dx + r) + 1)
            y0, y1 = max(0, int(cy + dy - r)), min(self.h,
                                                   int(cy + dy + r) + 1)
            if x0 < x1 and y0 < y1:
                yy, xx = np.mgrid[y0:y1, x0:x1]
                tree_shadow[y0:y1, x0:x1] |= (xx - cx - dx)**2 + (
                    yy - cy - dy)**2 <= r * r
        self.canvas[tree_shadow & ~self.canopy] *= 0.65
        leaves = 22 * _smooth_noise(self.rng, self.h, self.w, self.px(0.8))
        green = np.array((52, 92, 44), np.float32)
        self.canvas[self.canopy] = green + leaves[self.canopy][:, None]
        self.canvas += self.rng.normal(0, self.cfg.noise_std,
                                       self.canvas.shape).astype(np.float32)
        return np.clip(np.round(self.canvas), 0, 255).astype(np.uint8)

    def rows(self) -> np.ndarray:
        """VisDrone annotation rows, (N, 8) int64."""
        out = []
        for x, y, w, h in self.ignored:
            out.append((x, y, w, h, 0, IGNORED, 0, 0))
        for obj in self.objects:
            sh, sw = obj.sprite.alpha.shape
            x0, y0 = max(0, obj.x0), max(0, obj.y0)
            x1 = min(self.w, obj.x0 + sw)
            y1 = min(self.h, obj.y0 + sh)
            out.append((x0, y0, x1 - x0, y1 - y0, 1, obj.sprite.category,
                        obj.truncation, obj.occlusion))
        return np.array(out, np.int64).reshape(-1, 8)


def render_image(cfg: AerialWorldConfig,
                 seed: Sequence[int]) -> Tuple[np.ndarray, np.ndarray]:
    """Draw one image; returns ``(uint8 HxWx3 RGB, (N, 8) VisDrone rows)``.

    ``seed`` (e.g. ``(global_seed, split, index)``) fixes everything, so
    images can be drawn in any order or in parallel.
    """
    scene = _Scene(cfg, np.random.default_rng(list(seed)))
    scene.build_layout()
    scene.build_canopy()
    scene.populate()
    return scene.render(), scene.rows()


def format_rows(rows: np.ndarray) -> str:
    """VisDrone text: one ``l,t,w,h,score,cat,trunc,occ`` line per row."""
    return ''.join(','.join(str(int(v)) for v in row) + '\n' for row in rows)


SPLITS = ('train', 'val')
PRESETS = {
    # CPU demo / tests: RetinaNet R18/R50 trains on it in minutes.
    'default': dict(num_train=200, num_val=50, width=640, height=360),
    # Benchmarks: ten times the images at twice the resolution.
    'large': dict(num_train=2000, num_val=500, width=1280, height=720),
}


def split_folder(split: str) -> str:
    return f'VisDrone2019-DET-{split}'


def _write_one(
        job: Tuple[str, AerialWorldConfig, int, int, int]) -> np.ndarray:
    from PIL import Image
    folder, cfg, seed, split_id, index = job
    img, rows = render_image(cfg, (seed, split_id, index))
    name = f'synth_{index:07d}'
    Image.fromarray(img).save(f'{folder}/images/{name}.jpg', 'JPEG',
                              quality=cfg.jpeg_quality)
    with open(f'{folder}/annotations/{name}.txt', 'w') as f:
        f.write(format_rows(rows))
    return rows


def generate_synth_visdrone(out_dir: str,
                            num_train: int,
                            num_val: int,
                            cfg: AerialWorldConfig = AerialWorldConfig(),
                            seed: int = 0,
                            workers: int = 1,
                            overwrite: bool = False) -> Dict[str, dict]:
    """Write ``VisDrone2019-DET-{train,val}/{images,annotations}``.

    The set is written to ``<out_dir>.partial`` and moved into place when
    complete, so ``out_dir`` never holds a partial set. Returns the
    statistics of each split (see :func:`split_statistics`).
    """
    import json
    import os
    import os.path as osp
    import shutil
    from multiprocessing import Pool

    if osp.exists(out_dir) and not overwrite:
        raise FileExistsError(
            f'{out_dir} already exists; pass --overwrite to replace it '
            '(its COCO json files are removed too, as they would be stale).')
    tmp = out_dir.rstrip('/') + '.partial'
    shutil.rmtree(tmp, ignore_errors=True)
    stats = {}
    for split_id, (split, num) in enumerate(zip(SPLITS, (num_train,
                                                         num_val))):
        folder = osp.join(tmp, split_folder(split))
        os.makedirs(osp.join(folder, 'images'))
        os.makedirs(osp.join(folder, 'annotations'))
        jobs = [(folder, cfg, seed, split_id, i) for i in range(num)]
        if workers > 1 and num > 1:
            with Pool(min(workers, num)) as pool:
                rows = pool.map(_write_one, jobs, chunksize=4)
        else:
            rows = [_write_one(job) for job in jobs]
        stats[split] = split_statistics(rows)
    with open(osp.join(tmp, 'synth_visdrone_stats.json'), 'w') as f:
        json.dump(dict(config=dataclasses.asdict(cfg), seed=seed,
                       splits=stats), f, indent=1)
    if osp.exists(out_dir):
        shutil.rmtree(out_dir)
    os.replace(tmp, out_dir)
    return stats


def split_statistics(rows: Sequence[np.ndarray]) -> dict:
    """Objects per image, class counts, size / truncation / occlusion mix.

    "Objects" are the evaluated boxes (score 1, categories 1-10); size bins
    follow COCO (small < 32^2 <= medium < 96^2 <= large box area).
    """
    allrows = np.concatenate(list(rows)) if len(rows) else np.zeros((0, 8))
    cats = allrows[:, 5].astype(int)
    evaluated = allrows[(allrows[:, 4] == 1) & (cats >= 1) & (cats <= 10)]
    area = evaluated[:, 2] * evaluated[:, 3]
    n = max(1, len(evaluated))
    counts = np.bincount(cats, minlength=12)
    return dict(
        images=len(rows),
        objects=int(len(evaluated)),
        objects_per_image=round(len(evaluated) / max(1, len(rows)), 2),
        class_counts={
            name: int(c)
            for name, c in zip(VISDRONE_CATEGORIES, counts)
        },
        share_small=round(float((area < 32**2).sum()) / n, 4),
        share_medium=round(
            float(((area >= 32**2) & (area < 96**2)).sum()) / n, 4),
        share_large=round(float((area >= 96**2).sum()) / n, 4),
        median_box_side=float(np.median(np.sqrt(area))) if len(area) else 0,
        truncated=int((evaluated[:, 6] > 0).sum()),
        occluded_partly=int((evaluated[:, 7] == 1).sum()),
        occluded_heavily=int((evaluated[:, 7] == 2).sum()))
