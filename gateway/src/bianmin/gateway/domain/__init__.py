"""The gateway's rules as plain functions and classes, testable without HTTP."""
