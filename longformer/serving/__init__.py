"""SavedModel export modules."""
