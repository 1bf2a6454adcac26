"""Writes DICOM the pydicom test files lack, with pydicom (an independent writer), plus numpy truths.

usage: make_special.py OUT_DIR
- enhanced.dcm: 2-frame enhanced-style MR (16-bit signed, 32 x 24) whose per-frame functional groups give
  frame 1 spacing 0.5 mm, window 100,200, rescale 2/-50 and frame 2 spacing 0.25 mm, window 0,50, rescale
  1/0; truth enhanced.f1.render / enhanced.f2.render (uint8, PS3.3 C.11.2.1.2 in numpy).
- palette.dcm: 8-bit PALETTE COLOR (16 x 8) with 16-bit LUTs (first mapped 10); truth palette.rgb
  (pydicom's apply_color_lut, >> 8 to 8 bits).
"""
import os
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixel_data_handlers.util import apply_color_lut
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

out = sys.argv[1]


def base(sop_class):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.77"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.78"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.79"
    return ds


def window(x, c, w):
    lo, hi = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
    y = np.where(x <= lo, 0.0, np.where(x > hi, 255.0, ((x - (c - 0.5)) / (w - 1) + 0.5) * 255))
    return np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8)


# enhanced multi-frame
ds = base("1.2.840.10008.5.1.4.1.1.4.1")
ds.Rows, ds.Columns, ds.NumberOfFrames = 24, 32, 2
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 1
frames = []
params = [(0.5, 100, 200, 2, -50), (0.25, 0, 50, 1, 0)]
for sp, c, w, slope, icpt in params:
    g = Dataset()
    pm = Dataset()
    pm.PixelSpacing = [str(sp), str(sp)]
    voi = Dataset()
    voi.WindowCenter = str(c)
    voi.WindowWidth = str(w)
    pvt = Dataset()
    pvt.RescaleSlope = str(slope)
    pvt.RescaleIntercept = str(icpt)
    g.PixelMeasuresSequence = Sequence([pm])
    g.FrameVOILUTSequence = Sequence([voi])
    g.PixelValueTransformationSequence = Sequence([pvt])
    frames.append(g)
ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
shared = Dataset()
spm = Dataset()
spm.PixelSpacing = ["9", "9"]  # overridden per frame: must not be used
shared.PixelMeasuresSequence = Sequence([spm])
ds.SharedFunctionalGroupsSequence = Sequence([shared])
rng = np.random.default_rng(7)
a = rng.integers(-2048, 2047, size=(2, 24, 32), dtype=np.int16)
ds.PixelData = a.tobytes()
ds.save_as(os.path.join(out, "enhanced.dcm"), write_like_original=False)
for f, (sp, c, w, slope, icpt) in enumerate(params):
    window(a[f].astype(np.float64) * slope + icpt, c, w).tofile(os.path.join(out, "enhanced.f%d.render" % (f + 1)))

# palette colour
ds = base("1.2.840.10008.5.1.4.1.1.7")
ds.Rows, ds.Columns = 8, 16
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "PALETTE COLOR"
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
n = 200
for colour, fn in (("Red", lambda i: i * 300), ("Green", lambda i: 65535 - i * 250), ("Blue", lambda i: (i * 977) % 65536)):
    setattr(ds, colour + "PaletteColorLookupTableDescriptor", [n, 10, 16])
    setattr(ds, colour + "PaletteColorLookupTableData", np.array([fn(i) for i in range(n)], dtype="<u2").tobytes())
p = rng.integers(0, 256, size=(8, 16), dtype=np.uint8)
ds.PixelData = p.tobytes()
ds.save_as(os.path.join(out, "palette.dcm"), write_like_original=False)
rgb = apply_color_lut(p, ds)
(rgb >> 8).astype(np.uint8).tofile(os.path.join(out, "palette.rgb"))
