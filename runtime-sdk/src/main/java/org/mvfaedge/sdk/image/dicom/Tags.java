package org.mvfaedge.sdk.image.dicom;

/** The DICOM tags this package reads or writes (group << 16 | element). */
final class Tags {
    private Tags() {
    }

    static final int TRANSFER_SYNTAX = 0x00020010;
    static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    static final int SOP_CLASS_UID = 0x00080016;
    static final int SOP_INSTANCE_UID = 0x00080018;
    static final int STUDY_DATE = 0x00080020;
    static final int SERIES_DATE = 0x00080021;
    static final int CONTENT_DATE = 0x00080023;
    static final int STUDY_TIME = 0x00080030;
    static final int SERIES_TIME = 0x00080031;
    static final int CONTENT_TIME = 0x00080033;
    static final int ACCESSION_NUMBER = 0x00080050;
    static final int MODALITY = 0x00080060;
    static final int CONVERSION_TYPE = 0x00080064;
    static final int REFERRING_PHYSICIAN = 0x00080090;
    static final int STUDY_DESCRIPTION = 0x00081030;
    static final int SERIES_DESCRIPTION = 0x0008103E;
    static final int DERIVATION_DESCRIPTION = 0x00082111;
    static final int PATIENT_NAME = 0x00100010;
    static final int PATIENT_ID = 0x00100020;
    static final int PATIENT_BIRTH_DATE = 0x00100030;
    static final int PATIENT_SEX = 0x00100040;
    static final int STUDY_INSTANCE_UID = 0x0020000D;
    static final int SERIES_INSTANCE_UID = 0x0020000E;
    static final int STUDY_ID = 0x00200010;
    static final int SERIES_NUMBER = 0x00200011;
    static final int INSTANCE_NUMBER = 0x00200013;
    static final int PATIENT_ORIENTATION = 0x00200020;
    static final int IMAGE_COMMENTS = 0x00204000;
    static final int SAMPLES_PER_PIXEL = 0x00280002;
    static final int PHOTOMETRIC = 0x00280004;
    static final int PLANAR_CONFIGURATION = 0x00280006;
    static final int NUMBER_OF_FRAMES = 0x00280008;
    static final int ROWS = 0x00280010;
    static final int COLUMNS = 0x00280011;
    static final int PIXEL_SPACING = 0x00280030;
    static final int BITS_ALLOCATED = 0x00280100;
    static final int BITS_STORED = 0x00280101;
    static final int HIGH_BIT = 0x00280102;
    static final int PIXEL_REPRESENTATION = 0x00280103;
    static final int BURNED_IN_ANNOTATION = 0x00280301;
    static final int WINDOW_CENTER = 0x00281050;
    static final int WINDOW_WIDTH = 0x00281051;
    static final int RESCALE_INTERCEPT = 0x00281052;
    static final int RESCALE_SLOPE = 0x00281053;
    static final int VOI_LUT_FUNCTION = 0x00281056;
    static final int RED_DESCRIPTOR = 0x00281101;
    static final int GREEN_DESCRIPTOR = 0x00281102;
    static final int BLUE_DESCRIPTOR = 0x00281103;
    static final int RED_DATA = 0x00281201;
    static final int GREEN_DATA = 0x00281202;
    static final int BLUE_DATA = 0x00281203;
    static final int SEGMENTED_RED_DATA = 0x00281221;
    static final int MODALITY_LUT_SEQUENCE = 0x00283000;
    static final int LUT_DESCRIPTOR = 0x00283002;
    static final int LUT_DATA = 0x00283006;
    static final int VOI_LUT_SEQUENCE = 0x00283010;
    static final int PIXEL_MEASURES_SEQUENCE = 0x00289110;
    static final int FRAME_VOI_LUT_SEQUENCE = 0x00289132;
    static final int PIXEL_VALUE_TRANSFORMATION_SEQUENCE = 0x00289145;
    static final int SHARED_FUNCTIONAL_GROUPS = 0x52009229;
    static final int PER_FRAME_FUNCTIONAL_GROUPS = 0x52009230;
    static final int FLOAT_PIXEL_DATA = 0x7FE00008;
    static final int DOUBLE_PIXEL_DATA = 0x7FE00009;
    static final int PIXEL_DATA = 0x7FE00010;
    static final int ITEM = 0xFFFEE000;
    static final int ITEM_DELIMITER = 0xFFFEE00D;
    static final int SEQUENCE_DELIMITER = 0xFFFEE0DD;

    /** "(gggg,eeee)", for messages: a tag names an attribute, it never carries its value. */
    static String name(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xffff);
    }
}
