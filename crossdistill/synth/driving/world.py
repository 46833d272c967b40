"""The scene model of one synthetic driving scene.

A straight urban street in a *road frame* (x along the road, y to the left,
z up, flat ground at z = 0), placed in the global frame by a random rotation
and translation. The ego vehicle drives along +x in the lane at y = -1.8 at a
constant speed; everything else is a set of yaw-rotated boxes (*primitives*):

- ground (analytic plane): driveable surface |y| < 7 m, sidewalk 7-11 m,
  terrain 11-15 m and beyond, ``other_flat`` driveways cutting the terrain;
- static background: buildings (manmade) behind the terrain strip, street
  poles (manmade), trees (trunk + canopy) and hedges (vegetation);
- annotated objects (*things*) built from 1-3 primitives each: moving and
  parked cars, trucks, buses, trailers, a construction vehicle in a fenced
  work zone with barriers and traffic cones, walking and standing pedestrians,
  cyclists and parked bicycles/motorcycles, bins (``pushable_pullable``).

Choices where the spec is silent, with the reason:

- Moving things keep their lane and speed (platoons share one speed), so they
  never intersect each other or the ego vehicle; positions are linear in time,
  which makes the nuScenes velocities exact.
- Sizes vary widely within a class and colours are flat with weak shading, so
  that one image does not pin down depth; LiDAR does.
- Each scene holds at least one instance of all ten detection classes close
  to the start of the ego path (a work zone, a bus stop, parked trailer and
  truck, cyclists, pedestrians, parked cycles), so that even a two-frame
  scene exercises the whole nuScenes detection benchmark.
- Lateral class boundaries (±7, ±11, ±15 m) and the ego lane (y = -1.8 m)
  are chosen so that the boundaries fall on faces of the 0.4 m Occ3D voxels.
- Rendered primitives are inset by ``INSET`` inside the annotated box, so that
  every LiDAR return on an object lies strictly inside its annotation.
"""
from dataclasses import dataclass, field
from typing import Callable, List, NamedTuple, Optional, Tuple

import numpy as np

from .taxonomy import CATEGORY_TO_OCC, OCC

ROAD_HALF_WIDTH = 7.0
SIDEWALK_OUTER = 11.0
TERRAIN_OUTER = 15.0
EGO_LANE_Y = -1.8
ONCOMING_LANE_Y = 1.8
PARKING_LANE_Y = 5.25
BIKE_PATH_Y = 7.6
WALK_LANES_Y = (8.6, 9.5)
STATIC_LANE_Y = 10.5
INSET = 0.03  # rendered parts lie this far inside the annotated box (m)
VIEW_MARGIN = 90.0  # world extends this far before/after the ego path (m)
ANNOTATION_RANGE = 60.0  # things within this distance of the ego are labelled

Part = Tuple[Tuple[float, float, float], Tuple[float, float, float]]


class Primitives(NamedTuple):
    """Yaw-rotated boxes in the road frame (struct of arrays, P rows)."""
    center: np.ndarray  # (P, 3)
    half: np.ndarray  # (P, 3) half extents along the box's own axes
    yaw: np.ndarray  # (P,)
    owner: np.ndarray  # (P,) index of the annotated thing, -1 for background
    occ: np.ndarray  # (P,) Occ3D class
    color: np.ndarray  # (P, 3) RGB in 0-255
    reflectivity: np.ndarray  # (P,) LiDAR intensity scale in 0-255

    def __len__(self) -> int:
        return len(self.yaw)


@dataclass
class Thing:
    """An annotated object moving on a straight line at constant speed."""
    category: str
    attribute: str  # '' when the category has no attribute
    size: np.ndarray  # (length, width, height) of the annotated box
    start: np.ndarray  # (x, y) of the box centre at t = 0, road frame
    velocity: np.ndarray  # (vx, vy) in m/s, road frame
    yaw: float
    parts: np.ndarray  # (K, 6): centre offset in the box frame, half size
    colors: np.ndarray  # (K, 3)
    reflectivity: float

    def center(self, t: float) -> np.ndarray:
        xy = self.start + self.velocity * t
        return np.array([xy[0], xy[1], self.size[2] / 2])


@dataclass
class Stuff:
    """Static background boxes (buildings, poles, vegetation)."""
    center: List[np.ndarray] = field(default_factory=list)
    half: List[np.ndarray] = field(default_factory=list)
    yaw: List[float] = field(default_factory=list)
    occ: List[int] = field(default_factory=list)
    color: List[np.ndarray] = field(default_factory=list)
    reflectivity: List[float] = field(default_factory=list)

    def add(self, center, size, occ: int, color, reflectivity: float,
            yaw: float = 0.0) -> None:
        self.center.append(np.asarray(center, dtype=np.float64))
        self.half.append(np.asarray(size, dtype=np.float64) / 2)
        self.yaw.append(yaw)
        self.occ.append(occ)
        self.color.append(np.asarray(color, dtype=np.float32))
        self.reflectivity.append(reflectivity)


def rot_z(yaw: float) -> np.ndarray:
    """3x3 rotation about +z."""
    c, s = np.cos(yaw), np.sin(yaw)
    return np.array([[c, -s, 0.], [s, c, 0.], [0., 0., 1.]])


def _box_parts(size, parts: List[Part]) -> np.ndarray:
    """Parts given as (bottom-based centre offset, size) in box units.

    Each part is ``((fx, fy, fz0), (fl, fw, fh))``: centre at ``fx*l, fy*w``,
    bottom at ``fz0*h``, size ``fl*l, fw*w, fh*h``. Returns (K, 6) rows of
    centre offset (relative to the box centre) and half size, shrunk by
    ``INSET`` on every side except the ground contact.
    """
    l, w, h = size
    rows = []
    for (fx, fy, fz0), (fl, fw, fh) in parts:
        half = np.array([fl * l / 2 - INSET, fw * w / 2 - INSET,
                         fh * h / 2 - INSET / 2])
        bottom = fz0 * h + (INSET / 2 if fz0 > 0 else 0.0)
        top = min(fz0 * h + fh * h, h - INSET)
        half[2] = (top - bottom) / 2
        center = np.array([fx * l, fy * w, (top + bottom) / 2 - h / 2])
        rows.append(np.concatenate([center, np.maximum(half, 0.01)]))
    return np.stack(rows)


PAINT = np.array([[200, 200, 205], [40, 40, 45], [140, 20, 25],
                  [25, 50, 110], [110, 115, 120], [235, 235, 230],
                  [70, 90, 60], [160, 130, 90]], dtype=np.float32)
CLOTHES = np.array([[60, 60, 70], [120, 40, 40], [40, 70, 120],
                    [150, 140, 120], [30, 30, 30], [90, 110, 80]],
                   dtype=np.float32)


def _paint(rng: np.random.Generator, palette: np.ndarray) -> np.ndarray:
    return np.clip(palette[rng.integers(len(palette))] +
                   rng.normal(0, 8, 3), 0, 255).astype(np.float32)


class ThingFactory:
    """Samples the shape, size and colour of one annotated object."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def u(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def make(self, kind: str, attribute: str, xy, velocity, yaw: float
             ) -> Thing:
        """Build a thing of ``kind`` (a short name, see the branches)."""
        u, rng = self.u, self.rng
        rider = attribute == 'cycle.with_rider'
        if kind == 'car':
            size = (u(3.6, 5.3), u(1.65, 2.05), u(1.4, 1.95))
            parts = [((0, 0, 0), (1, 1, .55)),
                     ((-.06, 0, .55), (.55, .92, .45))]
            colors = [_paint(rng, PAINT)] * 2
            cat, refl = 'vehicle.car', 90.
        elif kind == 'truck':
            size = (u(5.5, 10.), u(2.1, 2.6), u(2.4, 3.8))
            cab = 1.9 / size[0]
            parts = [((.5 - cab / 2, 0, 0), (cab, 1, .75)),
                     ((-cab / 2 - .02, 0, 0), (1 - cab - .04, 1, 1))]
            colors = [_paint(rng, PAINT), _paint(rng, PAINT)]
            cat, refl = 'vehicle.truck', 80.
        elif kind == 'bus':
            size = (u(10., 13.), u(2.4, 2.6), u(2.9, 3.6))
            parts = [((0, 0, 0), (1, 1, 1))]
            colors = [_paint(rng, PAINT)]
            cat, refl = 'vehicle.bus.rigid', 80.
        elif kind == 'trailer':
            size = (u(6., 12.), u(2.3, 2.6), u(2.8, 4.0))
            parts = [((0, 0, 0), (1, 1, 1))]
            colors = [_paint(rng, PAINT)]
            cat, refl = 'vehicle.trailer', 70.
        elif kind == 'construction':
            size = (u(5., 8.), u(2.2, 2.8), u(2.8, 3.8))
            yellow = np.array([215, 170, 30], np.float32) + rng.normal(0, 8, 3)
            parts = [((0, 0, 0), (1, 1, .55)), ((-.28, 0, .55), (.4, .9, .45))]
            colors = [yellow, yellow * .8]
            cat, refl = 'vehicle.construction', 100.
        elif kind in ('adult', 'child', 'worker'):
            h = u(1.5, 1.95) if kind != 'child' else u(1.0, 1.4)
            size = (u(.45, .7) * h / 1.75, u(.5, .75) * h / 1.75, h)
            shirt = (np.array([240, 120, 20], np.float32) if kind == 'worker'
                     else _paint(rng, CLOTHES))
            parts = [((0, 0, 0), (.55, .75, .47)),
                     ((0, 0, .47), (.8, 1, .53))]
            colors = [_paint(rng, CLOTHES), shirt]
            cat = {'adult': 'human.pedestrian.adult',
                   'child': 'human.pedestrian.child',
                   'worker': 'human.pedestrian.construction_worker'}[kind]
            refl = 40.
        elif kind in ('bicycle', 'motorcycle'):
            if kind == 'bicycle':
                size = [u(1.5, 1.9), u(.5, .7), u(1.0, 1.2)]
                frame = [((0, 0, 0), (1, .3, .7)),
                         ((.42, 0, .75), (.12, 1, .25))]
                cat = 'vehicle.bicycle'
            else:
                size = [u(1.8, 2.3), u(.7, .95), u(1.15, 1.45)]
                frame = [((0, 0, 0), (1, .55, .75)),
                         ((.4, 0, .75), (.12, 1, .25))]
                cat = 'vehicle.motorcycle'
            colors = [_paint(rng, PAINT)] * 2
            if rider:
                frame_h = size[2]
                size[2] = frame_h + u(.55, .75)
                scale = frame_h / size[2]
                frame = [((fx, fy, fz * scale), (fl, fw, fh * scale))
                         for (fx, fy, fz), (fl, fw, fh) in frame]
                frame.append(((-.1, 0, scale * .6), (.4, .9, 1 - scale * .6)))
                colors.append(_paint(rng, CLOTHES))
            parts, refl = frame, 60.
        elif kind == 'barrier':
            size = (u(1.6, 2.6), u(.35, .6), u(.85, 1.1))
            parts = [((0, 0, 0), (1, 1, 1))]
            white = rng.random() < .5
            colors = [np.array([230, 225, 215] if white else [200, 60, 40],
                               np.float32)]
            cat, refl = 'movable_object.barrier', 150.
        elif kind == 'cone':
            s = u(.3, .45)
            size = (s, s, u(.6, 1.0))
            parts = [((0, 0, 0), (1, 1, .08)), ((0, 0, .08), (.55, .55, .92))]
            orange = np.array([245, 110, 20], np.float32)
            colors = [orange * .6, orange]
            cat, refl = 'movable_object.trafficcone', 200.
        elif kind == 'bin':
            s = u(.5, .8)
            size = (s, s * u(.9, 1.1), u(.9, 1.2))
            parts = [((0, 0, 0), (1, 1, 1))]
            colors = [np.array([50, 80, 60], np.float32)]
            cat, refl = 'movable_object.pushable_pullable', 50.
        else:
            raise ValueError(f'unknown thing kind {kind!r}')
        size = np.asarray(size, dtype=np.float64)
        return Thing(cat, attribute, size, np.asarray(xy, np.float64),
                     np.asarray(velocity, np.float64), float(yaw),
                     _box_parts(size, parts), np.stack(colors).clip(0, 255),
                     refl)


def _pack(rng: np.random.Generator, lo: float, hi: float,
          gap: Tuple[float, float], place: Callable[[float], Optional[float]],
          blocked: List[Tuple[float, float]] = (),
          backwards: bool = False) -> None:
    """Fill [lo, hi] along x with items separated by random gaps.

    ``place(x)`` puts one item with its rear end (front end when
    ``backwards``) at ``x`` and returns its length, or None to leave a gap.
    Forwards, the first item starts within one gap of ``lo`` and no item
    starts inside a blocked interval; backwards, items are placed from ``hi``
    down while their front end lies above ``lo``.
    """
    if backwards:
        x = hi
        while x > lo:
            length = place(x)
            x -= (length or 0.0) + rng.uniform(*gap)
        return
    x = lo + rng.uniform(0, gap[1])
    while x < hi:
        hit = [b for b in blocked if b[0] - 1.0 <= x <= b[1]]
        if hit:
            x = hit[0][1] + rng.uniform(0.5, 2.0)
            continue
        length = place(x)
        x += (length or 0.0) + rng.uniform(*gap)


class DrivingWorld:
    """One scene: ground layout, background, things and the ego path.

    Args:
        rng: the scene's random generator (everything is drawn from it).
        t_start: earliest sensor time (s, first past sweep).
        t_end: latest sensor time (s, last key frame).
    """

    def __init__(self, rng: np.random.Generator, t_start: float,
                 t_end: float):
        self.rng = rng
        self.t_start, self.t_end = t_start, t_end
        self.ego_speed = float(rng.uniform(2.0, 10.0))
        self.x_min = self.ego_speed * t_start - VIEW_MARGIN
        self.x_max = self.ego_speed * t_end + VIEW_MARGIN
        # road frame -> global frame
        self.global_yaw = float(rng.uniform(-np.pi, np.pi))
        self.factory = ThingFactory(rng)
        self.things: List[Thing] = []
        self.stuff = Stuff()
        self.driveways = {s: self._driveways() for s in (-1, 1)}
        for side in (-1, 1):
            self._background(side)
            self._sidewalk(side)
        self._traffic()
        self._parking()
        self._static_prims = self._stack_stuff()

    # ---- ego and frames -------------------------------------------------
    def ego_pose(self, t: float) -> Tuple[np.ndarray, np.ndarray]:
        """Rotation and translation of the ego frame in the road frame."""
        return rot_z(0.0), np.array([self.ego_speed * t, EGO_LANE_Y, 0.0])

    def ground_class(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Occ3D class of the ground at road-frame points (x, y)."""
        ay = np.abs(y)
        cls = np.full(np.shape(x), OCC['terrain'], dtype=np.uint8)
        cls[ay < SIDEWALK_OUTER] = OCC['sidewalk']
        cls[ay < ROAD_HALF_WIDTH] = OCC['driveable_surface']
        for side, spans in self.driveways.items():
            for x0, x1 in spans:
                cls[(x >= x0) & (x < x1) & (y * side >= SIDEWALK_OUTER)] = \
                    OCC['other_flat']
        return cls

    # ---- layout ---------------------------------------------------------
    def _driveways(self) -> List[Tuple[float, float]]:
        spans, x = [], self.x_min + self.rng.uniform(5, 40)
        while x < self.x_max:
            width = self.rng.uniform(4.0, 7.0)
            spans.append((x, x + width))
            x += width + self.rng.uniform(30.0, 70.0)
        return spans

    def _background(self, side: int) -> None:
        rng, stuff, blocked = self.rng, self.stuff, self.driveways[side]
        facade = [np.array([190, 175, 150]), np.array([150, 150, 155]),
                  np.array([160, 90, 70]), np.array([210, 205, 195]),
                  np.array([110, 105, 100])]

        def building(x: float) -> float:
            length = rng.uniform(8, 30)
            end = min([b[0] - 1.0 for b in blocked if b[0] > x] + [x + length])
            if end - x < 4:
                return None
            depth, height = rng.uniform(8, 16), rng.uniform(4, 22)
            y0 = side * (rng.uniform(15.4, 18.0) + depth / 2)
            color = facade[rng.integers(len(facade))] + rng.normal(0, 6, 3)
            stuff.add(((x + end) / 2, y0, height / 2),
                      (end - x, depth, height), OCC['manmade'],
                      color.clip(0, 255), 70.)
            return end - x

        _pack(rng, self.x_min, self.x_max, (0.5, 8.0), building, blocked)

        def vegetation(x: float) -> float:
            green = np.array([60, 110, 50]) + rng.normal(0, 10, 3)
            if rng.random() < 0.7:
                canopy, trunk_h = rng.uniform(2.5, 4.5), rng.uniform(2.5, 3.2)
                yc = side * rng.uniform(12.6, 13.4)
                stuff.add((x + canopy / 2, yc, trunk_h / 2), (.3, .3, trunk_h),
                          OCC['vegetation'], (90, 70, 50), 45.)
                top = trunk_h - .3 + rng.uniform(2, 4)
                stuff.add((x + canopy / 2, yc, (trunk_h - .3 + top) / 2),
                          (canopy, canopy, top - trunk_h + .3),
                          OCC['vegetation'], green.clip(0, 255), 45.)
                return canopy
            length, height = rng.uniform(2, 6), rng.uniform(.8, 1.5)
            stuff.add((x + length / 2, side * 12.0, height / 2),
                      (length, rng.uniform(.8, 1.0), height),
                      OCC['vegetation'], green.clip(0, 255), 40.)
            return length

        _pack(rng, self.x_min, self.x_max, (2.0, 12.0), vegetation, blocked)

    def _add(self, kind: str, attribute: str, x: float, y: float,
             vx: float = 0.0, yaw: float = 0.0, front: bool = False
             ) -> Thing:
        """Create a thing whose box has its rear end (its front end when
        ``front``) at ``x`` along the road."""
        thing = self.factory.make(kind, attribute, (0, y), (vx, 0), yaw)
        thing.start[0] = x - thing.size[0] / 2 if front else \
            x + thing.size[0] / 2
        self.things.append(thing)
        return thing

    def _lane_range(self, speed: float) -> Tuple[float, float]:
        """Start positions of things that pass through the world in time."""
        travel = (speed * self.t_start, speed * self.t_end)
        return self.x_min - max(travel), self.x_max - min(travel)

    def _moving_lane(self, y: float, speed: float, near: float,
                     gap: Tuple[float, float],
                     make: Callable[[float, bool], float]) -> None:
        """A platoon at one speed with a member starting at ``near``."""
        lo, hi = self._lane_range(speed)
        length = make(near, False)
        _pack(self.rng, near + length + gap[0], hi, gap,
              lambda x: make(x, False))
        _pack(self.rng, lo, near - gap[0], gap, lambda x: make(x, True),
              backwards=True)

    def _sidewalk(self, side: int) -> None:
        """Cyclists, walkers and a lane of static items on one sidewalk."""
        rng = self.rng
        direction = -side  # right side (side=-1) flows along +x
        speed = direction * rng.uniform(3.0, 6.0)
        yaw = 0.0 if speed > 0 else np.pi
        self._moving_lane(
            side * BIKE_PATH_Y, speed, rng.uniform(-5, 10), (30, 100),
            lambda x, front: self._add('bicycle', 'cycle.with_rider', x,
                                       side * BIKE_PATH_Y, speed, yaw,
                                       front).size[0])
        for lane_y, sign in zip(WALK_LANES_Y, (1, -1)):
            walk = sign * rng.uniform(0.9, 1.6)

            def walker(x: float, front: bool, walk=walk,
                       lane_y=lane_y) -> float:
                kind = 'child' if rng.random() < .15 else 'adult'
                return self._add(kind, 'pedestrian.moving', x, side * lane_y,
                                 walk, 0.0 if walk > 0 else np.pi,
                                 front).size[0]

            self._moving_lane(side * lane_y, walk, rng.uniform(-10, 15),
                              (10, 60), walker)

        # static lane: standing people, parked cycles, bins, poles
        def static_item(x: float, front: bool = False) -> Optional[float]:
            r = rng.random()
            y = side * STATIC_LANE_Y
            if r < .12:
                return self._add('adult', 'pedestrian.standing', x, y,
                                 yaw=rng.uniform(-np.pi, np.pi),
                                 front=front).size[0] + .3
            if r < .45:
                kind = 'bicycle' if r < .35 else 'motorcycle'
                yaw = rng.uniform(-.1, .1) + np.pi * (rng.random() < .5)
                return self._add(kind, 'cycle.without_rider', x, y, yaw=yaw,
                                 front=front).size[0] + .2
            if r < .6:
                return self._add('bin', '', x, y, front=front).size[0]
            if r < .8:
                h = rng.uniform(4, 7)
                xc = x - .125 if front else x + .125
                self.stuff.add((xc, y, h / 2), (.25, .25, h), OCC['manmade'],
                               (120, 120, 125), 80.)
                return .25
            return None

        if side == -1:  # roster close to the start, behind an empty kerb
            x0 = x = rng.uniform(-18, -12)
            for kind, attr in (('motorcycle', 'cycle.without_rider'),
                               ('bicycle', 'cycle.without_rider'),
                               ('adult', 'pedestrian.standing')):
                x += self._add(kind, attr, x, side * STATIC_LANE_Y).size[0] + \
                    rng.uniform(1, 3)
            _pack(rng, x, self.x_max, (3, 20), static_item)
            _pack(rng, self.x_min, x0 - 2, (3, 20),
                  lambda x: static_item(x, True), backwards=True)
        else:
            _pack(rng, self.x_min, self.x_max, (3, 20), static_item)

    def _traffic(self) -> None:
        """Platoons in the ego lane (at the ego speed) and oncoming lane."""
        rng = self.rng
        mix = (('car', .72), ('truck', .1), ('bus', .06), ('motorcycle', .06),
               ('truck+trailer', .06))
        kinds, probs = zip(*mix)

        def vehicle(x: float, front: bool, y: float, speed: float) -> float:
            kind = kinds[rng.choice(len(kinds), p=probs)]
            yaw = 0.0 if speed > 0 else np.pi
            attr = 'cycle.with_rider' if kind == 'motorcycle' else \
                'vehicle.moving'
            if kind != 'truck+trailer':
                return self._add(kind, attr, x, y, speed, yaw, front).size[0]
            # the trailer follows the truck; lay them out along the packing
            order = ['trailer', 'truck'] if speed > 0 else ['truck', 'trailer']
            if front:
                order.reverse()
            a = self._add(order[0], attr, x, y, speed, yaw, front)
            step = a.size[0] + .6
            b = self._add(order[1], attr, x - step if front else x + step, y,
                          speed, yaw, front)
            return step + b.size[0]

        ego = self.ego_speed
        lo, hi = self._lane_range(ego)
        # the ego lane moves with the ego: a leader ahead, followers behind
        lead = rng.uniform(10, 18)
        lead += self._add('car', 'vehicle.moving', lead, EGO_LANE_Y, ego
                          ).size[0]
        _pack(rng, lead + 6, hi, (6, 25),
              lambda x: vehicle(x, False, EGO_LANE_Y, ego))
        _pack(rng, lo, -8 - rng.uniform(0, 20), (6, 25),
              lambda x: vehicle(x, True, EGO_LANE_Y, ego), backwards=True)
        speed = -rng.uniform(3, 12)
        self._moving_lane(ONCOMING_LANE_Y, speed, rng.uniform(-20, 20),
                          (6, 25), lambda x, front: vehicle(
                              x, front, ONCOMING_LANE_Y, speed))

    def _parking(self) -> None:
        """Parked vehicles, a work zone (right) and a bus stop (left)."""
        rng = self.rng

        def parked(x: float, side: int, front: bool = False
                   ) -> Optional[float]:
            r = rng.random()
            if r < .15:
                return None
            kind = 'car' if r < .85 else ('truck' if r < .95 else 'trailer')
            yaw = (0.0 if side < 0 else np.pi) + rng.uniform(-.04, .04)
            return self._add(kind, 'vehicle.parked', x, side * PARKING_LANE_Y,
                             yaw=yaw, front=front).size[0]

        # right: empty kerb beside the sidewalk roster, then the work zone
        zone_end = self._work_zone(rng.uniform(6, 10))
        _pack(rng, zone_end + 2, self.x_max, (1, 8), lambda x: parked(x, -1))
        _pack(rng, self.x_min, -30, (1, 8), lambda x: parked(x, -1, True),
              backwards=True)
        # left: a stopped bus, a parked trailer and truck near the start
        x0 = x = rng.uniform(-20, -10)
        roster = [('bus', 'vehicle.stopped'), ('trailer', 'vehicle.parked'),
                  ('truck', 'vehicle.parked')]
        for i in rng.permutation(len(roster)):
            kind, attr = roster[i]
            x += self._add(kind, attr, x, PARKING_LANE_Y,
                           yaw=np.pi).size[0] + rng.uniform(1, 4)
        _pack(rng, x, self.x_max, (1, 8), lambda x: parked(x, 1))
        _pack(rng, self.x_min, x0 - 2, (1, 8), lambda x: parked(x, 1, True),
              backwards=True)

    def _work_zone(self, x0: float) -> float:
        """Cones, a construction vehicle, a worker and a barrier line in the
        right parking lane from ``x0``; returns the zone's end."""
        rng = self.rng
        y_taper = np.linspace(-6.4, -4.4, 4)
        for i, y in enumerate(y_taper):
            self._add('cone', '', x0 + i * .9, y)
        x = x0 + 4.0
        x += self._add('construction', 'vehicle.parked', x, -5.6).size[0]
        x += .8
        self._add('worker', 'pedestrian.standing', x, -5.3,
                  yaw=rng.uniform(-np.pi, np.pi))
        x += 1.4
        for y in (-6.2, -4.6):
            self._add('cone', '', x, y)
        end = x + 1.0
        bx = x0 + 2.5
        while bx < end - 1.6:
            bx += self._add('barrier', '', bx, -3.85).size[0] + .15
        return max(end, bx)

    # ---- primitives -----------------------------------------------------
    def _stack_stuff(self) -> Primitives:
        s = self.stuff
        n = len(s.yaw)
        return Primitives(np.stack(s.center), np.stack(s.half),
                          np.asarray(s.yaw, np.float64),
                          np.full(n, -1, np.int64),
                          np.asarray(s.occ, np.uint8),
                          np.stack(s.color).astype(np.float32),
                          np.asarray(s.reflectivity, np.float32))

    def primitives(self, t: float) -> Primitives:
        """All boxes at time ``t``: background first, then things' parts."""
        centers, halves, yaws, owners, occs, colors, refl = \
            [], [], [], [], [], [], []
        for i, thing in enumerate(self.things):
            rot = rot_z(thing.yaw)
            k = len(thing.parts)
            centers.append(thing.center(t) + thing.parts[:, :3] @ rot.T)
            halves.append(thing.parts[:, 3:])
            yaws.append(np.full(k, thing.yaw))
            owners.append(np.full(k, i))
            occs.append(np.full(k, CATEGORY_TO_OCC[thing.category]))
            colors.append(thing.colors)
            refl.append(np.full(k, thing.reflectivity))
        s = self._static_prims
        return Primitives(
            np.concatenate([s.center] + centers),
            np.concatenate([s.half] + halves),
            np.concatenate([s.yaw] + yaws),
            np.concatenate([s.owner] + owners).astype(np.int64),
            np.concatenate([s.occ] + occs).astype(np.uint8),
            np.concatenate([s.color] + colors).astype(np.float32),
            np.concatenate([s.reflectivity] + refl).astype(np.float32))

    def annotated(self, t: float) -> List[int]:
        """Things within ``ANNOTATION_RANGE`` of the ego at time ``t``."""
        ego = self.ego_pose(t)[1][:2]
        return [i for i, th in enumerate(self.things)
                if np.hypot(*(th.center(t)[:2] - ego)) <= ANNOTATION_RANGE]
