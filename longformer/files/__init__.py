"""Writing output files all or nothing."""
