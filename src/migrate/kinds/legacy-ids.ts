/** The shapes of the old gateway's ids in a merchant's files, as the migration kinds accept them. */

/** upcmemberid: merchant-chosen text. */
export const MEMBER_ID = /^[\x21-\x7e]{1,100}$/;
/** The old gateway's 決済番号: 8 digits (S002 §19), up to 9 in some merchant schemas. */
export const PID = /^\d{8,9}$/;
/** Legacy auto-billing numbers: merchant-facing text of the old system; ours are 10 digits. */
export const ACID = /^[0-9A-Za-z_-]{1,32}$/;
