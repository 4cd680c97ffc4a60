#!/bin/bash
# The heatmap as a person reads it, checked against files whose pages the
# test knows: the SVG parses as XML, has a title, axis titles, a legend,
# address ticks, one label per band, bands in address order, one column per
# epoch (decoded from the embedded PNG), hostile names escaped; and a big
# synthetic input still gives a small file.
set -euo pipefail
PERF_PML=$1 FIXTURE=$2 PML_GEN=$3 TMP=$4/heatmap
mkdir -p "$TMP"
"$FIXTURE" "$TMP/fixture.data"
"$PERF_PML" report -i "$TMP/fixture.data" --no-symbols --heatmap "$TMP/fixture.svg" >/dev/null
python3 - "$TMP/fixture.svg" <<'PY'
import base64, struct, sys, zlib
import xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()  # fails on invalid UTF-8 or markup
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
def texts(cls):
    return [t for t in root.iter(NS + "text") if t.get("class") == cls]
title = root.find(NS + "title").text
want_title = "Written pages over time: pml/epoch=10/<&>\ufffd"
if title != want_title: fail("title %r" % title)
if [t.text for t in texts("axis-title")][:2] != ["mapping", "address"] or len(texts("axis-title")) != 3:
    fail("axis titles %r" % [t.text for t in texts("axis-title")])
legend = [g for g in root.iter(NS + "g") if g.get("class") == "legend"]
if len(legend) != 1: fail("no legend")
legend_labels = [t.text for t in legend[0].iter(NS + "text") if t.get("class") == "legend-label"]
if legend_labels[0] != "1" or len(legend_labels) < 2: fail("legend labels %r" % legend_labels)

bands = [g for g in root.iter(NS + "g") if g.get("class") == "region"]
labels = [[t.text for t in g.iter(NS + "text") if t.get("class") == "label"] for g in bands]
if any(len(l) != 1 for l in labels): fail("a band without exactly one label")
labels = [l[0] for l in labels]
if len(bands) != 40: fail("%d bands drawn, want 40 (the cap)" % len(bands))
if len(set(labels)) != len(labels): fail("duplicate labels %r" % labels)
keys = [(int(g.get("data-pid")), int(g.get("data-lo"), 16)) for g in bands]
if keys != sorted(keys): fail("bands not in address order: %r" % keys)
hostile = "/tmp/lib<b>&\"q\"'\ufffd\ufffd\ufffd.so"
for pid in (1000, 1001):
    if hostile + " (pid %d)" % pid not in labels: fail("hostile label for pid %d: %r" % (pid, labels))
if labels.count("/usr/bin/app") != 1: fail("the binary's two mappings are not one band")
for g in bands:
    addrs = [t.text for t in g.iter(NS + "text") if t.get("class") == "addr"]
    if addrs[0] != g.get("data-lo"): fail("first tick of %s is %r" % (g.get("data-lo"), addrs))
note = texts("hidden-note")
if len(note) != 1 or not note[0].text.startswith("15 more mappings with 15 samples"):
    fail("hidden note %r" % [t.text for t in note])
xlabels = [t.text for t in texts("xlabel")]
if xlabels[:2] != ["0", "0.000s"]: fail("x labels %r" % xlabels)

# Decode the cells (8-bit palette PNG, filters None and Up).
img = [e for e in root.iter(NS + "image") if e.get("class") == "cells"]
if len(img) != 1: fail("no cells image")
img = img[0]
href = img.get("{http://www.w3.org/1999/xlink}href")
png = base64.b64decode(href.split(",", 1)[1])
pos, idat, w, h = 8, b"", 0, 0
while pos < len(png):
    n, kind = struct.unpack(">I4s", png[pos:pos + 8])
    body = png[pos + 8:pos + 8 + n]
    if kind == b"IHDR": w, h = struct.unpack(">II", body[:8])
    if kind == b"IDAT": idat += body
    pos += 12 + n
raw, rows, prev = zlib.decompress(idat), [], bytes(w)
for y in range(h):
    f, line = raw[y * (w + 1)], raw[y * (w + 1) + 1:(y + 1) * (w + 1)]
    line = bytes(line) if f == 0 else bytes((a + b) & 255 for a, b in zip(line, prev))
    rows.append(line); prev = line
if w != int(float(img.get("width"))) or h != int(float(img.get("height"))): fail("image size")
if w % 20: fail("image width %d is not 20 epoch columns" % w)
col = w // 20
img_y = float(img.get("y"))
anon = [g for g, l in zip(bands, labels) if l.startswith("[anon] 0x7f1000000000")][0]
rect = anon.find(NS + "rect")
top = round(float(rect.get("y")) + 0.5 - img_y); height = round(float(rect.get("height")) - 1)
for e in range(20):
    # Every pixel column of an epoch's column is the same: columns are epochs.
    xs = range(e * col, (e + 1) * col)
    painted = [y for y in range(top, top + height) if rows[y][e * col] > 2]
    for y in range(top, top + height):
        if len({rows[y][x] for x in xs}) != 1: fail("column %d is not one epoch at row %d" % (e, y))
    # Epoch e wrote pages [100e, 100e+100) of the 2000: rows [e/20, (e+1)/20) of
    # the band, give or take the one 2 px grid row that straddles two epochs.
    lo, hi = top + e * height / 20, top + (e + 1) * height / 20
    if not painted or painted[0] < lo - 2 or painted[-1] > hi + 2:
        fail("epoch %d painted rows %s, want [%d, %d)" % (e, painted[:1] + painted[-1:], lo, hi))
print("PASS: heatmap structure: %d bands in address order, %d epoch columns of %d px" % (len(bands), 20, col))
PY
if command -v rsvg-convert >/dev/null; then
  rsvg-convert -o "$TMP/fixture.png" "$TMP/fixture.svg" || { echo "FAIL: rsvg-convert"; exit 1; }
  echo "PASS: rsvg-convert renders it"
fi
# A big input (100 MB, about 0.9 M samples) stays under 1 MB.
"$PML_GEN" -o "$TMP/big.data" --size 100M --pattern mixed
"$PERF_PML" report -i "$TMP/big.data" --no-symbols --heatmap "$TMP/big.svg" >/dev/null
size=$(stat -c %s "$TMP/big.svg")
python3 -c "import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])" "$TMP/big.svg"
[ "$size" -lt 1000000 ] || { echo "FAIL: heatmap of 100 MB input is $size bytes"; exit 1; }
echo "PASS: heatmap of a 100 MB input is $size bytes"
rm -f "$TMP/big.data"
