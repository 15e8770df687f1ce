"""Bianmin bidding: Tenders with sealed bids, remote opening, evaluation, award, supervision and collusion screening."""
