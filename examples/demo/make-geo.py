#!/usr/bin/env python3
"""make-geo.py: write examples/demo/geo/, the demo's synthetic boundaries for plot-map.

    python3 examples/demo/make-geo.py     (rewrites examples/demo/geo/*.geojson; stdlib only, deterministic)

The shapes are made up: a few straight-edged polygons placed roughly where the places are, enough to draw
readable maps of the demo's participants. They are no real boundaries and are not derived from any. Each
feature's id property (ADM1_AVF, ADM2_AVF, ADM3_AVF) is the StringValue of a code in the demo's region,
district or Mogadishu sub-district scheme; features whose id has no code there are drawn as "no data".
ADM1_LX/ADM1_LY and ADM3_LX/ADM3_LY place a value label; ADM1_CALLX/ADM1_CALLY draw a callout to it.
"""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "geo")

# Region polygons (lon, lat), clockwise from the west. A contiguous, stylised horn.
REGIONS = {
    "lower juba": [(41.0, -0.9), (41.0, 1.6), (42.5, 1.6), (43.3, 0.9), (42.6, -0.3), (41.6, -1.6)],
    "gedo": [(41.0, 1.6), (41.0, 3.9), (42.0, 4.2), (42.5, 4.2), (42.5, 1.6)],
    "bay": [(42.5, 1.6), (42.5, 4.2), (44.2, 4.3), (44.2, 2.2), (43.3, 0.9)],
    "lower shabelle": [(43.3, 0.9), (44.2, 2.2), (44.2, 4.3), (45.0, 4.9), (46.0, 4.2), (45.6, 2.2),
                       (45.35, 2.3), (45.1, 1.85), (44.0, 1.0)],
    "banadir": [(45.1, 1.85), (45.35, 2.3), (45.6, 2.2), (45.4, 1.95)],
    "hiraan": [(45.0, 4.9), (45.7, 5.6), (47.0, 5.2), (46.0, 4.2)],
    "mudug": [(45.7, 5.6), (47.5, 7.6), (49.2, 7.6), (47.0, 5.2)],
    "nugaal": [(47.5, 7.6), (47.9, 9.6), (50.6, 9.6), (49.2, 7.6)],
    "togdheer": [(45.5, 8.6), (45.5, 10.5), (47.9, 10.9), (47.9, 9.6), (47.5, 7.6)],
    "woqooyi galbeed": [(43.0, 9.5), (43.0, 10.2), (44.2, 10.5), (45.5, 10.5), (45.5, 8.6), (44.0, 9.0)],
    "bari": [(47.9, 9.6), (47.9, 10.9), (49.2, 11.3), (51.2, 11.8), (51.1, 10.5), (50.6, 9.6)],
}
# Where the value of a small region is written (at sea), and the point its callout line ends at.
REGION_LABELS = {"banadir": ((46.6, 1.6), (45.45, 2.1))}

# Districts: each region with participants split in two; the other regions whole, under their region's name.
DISTRICTS = {
    "kismayo": [(41.0, -0.9), (41.0, 0.4), (43.0, 0.4), (42.6, -0.3), (41.6, -1.6)],
    "afmadow": [(41.0, 0.4), (41.0, 1.6), (42.5, 1.6), (43.3, 0.9), (43.0, 0.4)],
    "baidoa": [(42.5, 1.6), (42.5, 3.0), (44.2, 3.0), (44.2, 2.2), (43.3, 0.9)],
    "buur hakaba": [(42.5, 3.0), (42.5, 4.2), (44.2, 4.3), (44.2, 3.0)],
    "mogadishu": REGIONS["banadir"],
    "garowe": [(47.5, 7.6), (47.9, 9.6), (49.0, 9.6), (48.5, 7.6)],
    "eyl": [(48.5, 7.6), (49.0, 9.6), (50.6, 9.6), (49.2, 7.6)],
    "hargeysa": [(43.0, 9.5), (43.0, 10.2), (44.2, 10.5), (44.5, 10.5), (44.5, 8.9), (44.0, 9.0)],
    "gebiley": [(44.5, 8.9), (44.5, 10.5), (45.5, 10.5), (45.5, 8.6)],
}
for name in ("gedo", "lower shabelle", "hiraan", "mudug", "togdheer", "bari"):
    DISTRICTS[name + " (region)"] = REGIONS[name]

# Mogadishu sub-districts: a made-up town of six wedges around one point, its south-east side on the sea.
centre = (45.33, 2.08)
rim = [(45.29, 2.02), (45.25, 2.07), (45.27, 2.12), (45.33, 2.145), (45.39, 2.125), (45.41, 2.07), (45.29, 2.02)]
names = ["hodan", "daynile", "karaan", "yaaqshid", "wadajir", "xamar weyne"]
MOG = {name: [centre, rim[k], rim[k + 1]] for k, name in enumerate(names)}

def feature(props, ring):
    ring = [list(p) for p in ring]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def dump(name, features):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "name": name[:-len(".geojson")],
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                   "features": features}, f, ensure_ascii=False)
        f.write("\n")


os.makedirs(out, exist_ok=True)
regions = []
for name, ring in REGIONS.items():
    props = {"ADM1_AVF": name}
    if name in REGION_LABELS:
        (lx, ly), (cx, cy) = REGION_LABELS[name]
        props.update({"ADM1_LX": lx, "ADM1_LY": ly, "ADM1_CALLX": cx, "ADM1_CALLY": cy})
    regions.append(feature(props, ring))
dump("regions.geojson", regions)
dump("districts.geojson", [feature({"ADM2_AVF": n}, r) for n, r in DISTRICTS.items()])
dump("mogadishu_sub_districts.geojson", [feature({"ADM3_AVF": n}, r) for n, r in MOG.items()])
