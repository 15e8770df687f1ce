"""Request and response models of the bidding service's API."""
