/** The charsets legacy merchants send and read; "Shift_JIS" always means Microsoft CP932. */
export type LegacyCharset = "UTF-8" | "Shift_JIS";
