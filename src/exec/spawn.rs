//! The one exec path: every external program the shell starts is started here, after the audit
//! module has recorded it.
