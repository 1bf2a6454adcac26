"""Independent truth for the DICOM tests: pydicom's decoding (and numpy renderings) of DICOM files.

usage: pydicom_truth.py OUT_DIR FILE...
For each FILE with Pixel Data writes OUT_DIR/<name>.stored (all frames' stored values, int32 little
endian, frames x rows x columns x samples) and, for single-frame grey files, OUT_DIR/<name>.file.render
and <name>.minmax.render (uint8, the 8-bit rendering by the formulas of DICOM PS3.3 C.11.2.1.2 written
here in numpy, independent of the Java code). OUT_DIR/truth.json lists per file: status, shape,
photometric, transfer syntax, or the error pydicom gave.
"""
import json
import os
import sys
import warnings

import numpy as np
import pydicom

warnings.simplefilter("ignore")


def modality(ds, arr):
    x = arr.astype(np.float64)
    if "ModalityLUTSequence" in ds:
        return None  # not rendered here
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    return x * slope + intercept


def first(v):
    if v is None:
        return None
    if isinstance(v, pydicom.multival.MultiValue):
        return float(v[0]) if len(v) else None
    return float(v)


def render(ds, arr, policy):
    x = modality(ds, arr)
    if x is None:
        return None
    c = first(ds.get("WindowCenter"))
    w = first(ds.get("WindowWidth"))
    fn = str(ds.get("VOILUTFunction", "LINEAR") or "LINEAR").strip()
    if policy == "file" and c is not None and w is not None and w >= 1:
        if fn == "SIGMOID":
            y = 255.0 / (1 + np.exp(-4 * (x - c) / w))
        elif fn == "LINEAR_EXACT":
            y = np.where(x <= c - w / 2, 0.0, np.where(x > c + w / 2, 255.0, ((x - c) / w + 0.5) * 255))
        else:
            lo = c - 0.5 - (w - 1) / 2
            hi = c - 0.5 + (w - 1) / 2
            y = np.where(x <= lo, 0.0, np.where(x > hi, 255.0, ((x - (c - 0.5)) / (w - 1) + 0.5) * 255))
    else:
        lo, hi = x.min(), x.max()
        y = (x - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(x)
    y = np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8)
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        y = 255 - y
    return y


def variants(out, source):
    """Copies of a grey file written by pydicom with the rendering features the test files lack."""
    made = []
    for name, change in (
            ("mono1", lambda ds: setattr(ds, "PhotometricInterpretation", "MONOCHROME1")),
            ("sigmoid", lambda ds: setattr(ds, "VOILUTFunction", "SIGMOID")),
            ("rescale", lambda ds: (setattr(ds, "RescaleSlope", "2.5"), setattr(ds, "RescaleIntercept", "-1024"),
                                    setattr(ds, "WindowCenter", "1500"), setattr(ds, "WindowWidth", "3000"))),
            ("nowindow", lambda ds: (ds.__delattr__("WindowCenter") if "WindowCenter" in ds else None,
                                     ds.__delattr__("WindowWidth") if "WindowWidth" in ds else None)),
            ("twowindows", lambda ds: (setattr(ds, "WindowCenter", ["600", "40"]),
                                       setattr(ds, "WindowWidth", ["1000", "400"])))):
        ds = pydicom.dcmread(source)
        if "WindowCenter" not in ds and name in ("mono1", "sigmoid"):
            ds.WindowCenter = "1000"
            ds.WindowWidth = "1500"
        change(ds)
        path = os.path.join(out, "variant_" + name + ".dcm")
        ds.save_as(path)
        made.append(path)
    return made


def main():
    out = sys.argv[1]
    truth = {}
    paths = sys.argv[2:]
    if paths and paths[0] == "--variants":
        paths = variants(out, paths[1])
    for path in paths:
        name = os.path.basename(path)
        try:
            ds = pydicom.dcmread(path, force=True)
        except Exception as e:  # not DICOM at all
            truth[name] = {"status": "unreadable", "error": type(e).__name__}
            continue
        if "PixelData" not in ds:
            truth[name] = {"status": "no_pixel_data"}
            continue
        ts = str(ds.file_meta.get("TransferSyntaxUID", "")) if hasattr(ds, "file_meta") else ""
        try:
            arr = ds.pixel_array
        except Exception as e:
            truth[name] = {"status": "pydicom_error", "error": type(e).__name__ + ": " + str(e)[:120], "ts": ts}
            continue
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        spp = int(ds.get("SamplesPerPixel", 1))
        a = arr.reshape(frames, int(ds.Rows), int(ds.Columns), spp)
        entry = {"status": "ok", "shape": list(a.shape), "ts": ts,
                 "photometric": str(ds.get("PhotometricInterpretation", "")), "dtype": str(arr.dtype)}
        if a.dtype.itemsize > 2 and a.max() > 2**31 - 1:
            entry["status"] = "out_of_int32"
        else:
            a.astype("<i4").tofile(os.path.join(out, name + ".stored"))
        if frames == 1 and spp == 1 and entry["status"] == "ok":
            for policy in ("file", "minmax"):
                r = render(ds, arr.reshape(int(ds.Rows), int(ds.Columns)), policy)
                if r is not None:
                    r.tofile(os.path.join(out, name + "." + policy + ".render"))
        truth[name] = entry
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
