"""Writes a 16-bit signed MR-like multi-frame DICOM with pydicom (an independent writer) for the tests.

usage: make_multiframe.py OUT.dcm FRAMES
Frame f (from 1) is background -1000 with a rectangle of value 3000 at x 10+10(f-1)..30+10(f-1), y 20..40
(64 x 64); rescale slope 1, intercept 0; window 1000,4000; pixel spacing 0.5\\0.5 mm; explicit VR LE.
"""
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

out, frames = sys.argv[1], int(sys.argv[2])
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1"
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.is_little_endian = True
ds.is_implicit_VR = False
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.2"
ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.3"
ds.PatientName = "Test^Multi"
ds.PatientID = "MF-1"
ds.Modality = "MR"
ds.Rows = 64
ds.Columns = 64
ds.NumberOfFrames = frames
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.BitsAllocated = 16
ds.BitsStored = 16
ds.HighBit = 15
ds.PixelRepresentation = 1
ds.RescaleSlope = "1"
ds.RescaleIntercept = "0"
ds.WindowCenter = "1000"
ds.WindowWidth = "4000"
ds.PixelSpacing = ["0.5", "0.5"]
a = np.full((frames, 64, 64), -1000, dtype=np.int16)
for f in range(frames):
    a[f, 20:40, 10 + 10 * f:30 + 10 * f] = 3000
ds.PixelData = a.tobytes()
ds.save_as(out, write_like_original=False)
