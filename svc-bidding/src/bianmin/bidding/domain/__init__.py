"""The bidding service's rules as plain functions and classes, testable without HTTP."""
