"""Each collusion screen on constructed bid sets: one that it flags and one that it does not."""

from __future__ import annotations

from decimal import Decimal

from bianmin.bidding.domain import screens
from bianmin.bidding.domain.screens import BidFacts, Thresholds

T = Thresholds()


def bids(*prices: str, **extra: object) -> list[BidFacts]:
    return [BidFacts(credit_code=f"C{i}", price=Decimal(p)) for i, p in enumerate(prices)]


def test_close_prices_are_flagged_by_the_coefficient_of_variation() -> None:
    flags = screens.coefficient_of_variation(bids("1000000", "1005000", "1010000"), T)
    assert [f.screen for f in flags] == ["coefficient_of_variation"]
    assert Decimal(0) < flags[0].score <= 1
    assert screens.coefficient_of_variation(bids("800000", "950000", "1000000"), T) == []


def test_a_lone_low_bid_before_clustered_covers_is_flagged_by_relative_distance() -> None:
    flags = screens.relative_distance(bids("800000", "990000", "1000000", "1010000"), T)
    assert flags
    assert flags[0].evidence["lowest"] == "800000"
    assert screens.relative_distance(bids("800000", "850000", "950000", "1000000"), T) == []


def test_identical_prices_are_flagged_with_the_bidders_sharing_them() -> None:
    flags = screens.identical_prices(bids("900000", "900000", "950000"), T)
    assert flags[0].credit_codes == ["C0", "C1"]
    assert screens.identical_prices(bids("900000", "900001", "950000"), T) == []


def test_regular_gaps_are_flagged_and_irregular_ones_not() -> None:
    assert screens.regular_gaps(bids("900000", "910000", "920000", "930000"), T)
    assert screens.regular_gaps(bids("900000", "903000", "920000", "990000"), T) == []
    assert screens.regular_gaps(bids("900000", "910000", "920000"), Thresholds(min_gaps=3)) == []
    assert screens.regular_gaps(bids("900000", "910000"), T) == []


def test_shared_documents_addresses_devices_and_accounts_are_flagged() -> None:
    shared = [BidFacts("A", Decimal(1), ("f" * 64,), "10.0.0.1", "dev-1", ("6222-1",)),
              BidFacts("B", Decimal(2), ("F" * 64,), "10.0.0.1", "dev-1", ("6222-1",)),
              BidFacts("C", Decimal(3), ("e" * 64,), "10.0.0.9", "dev-9", ("6222-9",))]
    for screen in (screens.identical_document_hashes, screens.same_ip, screens.same_device_fingerprint,
                   screens.same_deposit_account):
        flags = screen(shared, T)
        assert len(flags) == 1
        assert flags[0].credit_codes == ["A", "B"]
    apart = [BidFacts("A", Decimal(1), ("a" * 64,), "10.0.0.1", "dev-1", ("1",)),
             BidFacts("B", Decimal(2), ("b" * 64,), "10.0.0.2", "dev-2", ("2",))]
    assert screens.screen_all(apart, T) == []


def test_statistical_screens_need_enough_bids() -> None:
    assert screens.coefficient_of_variation(bids("1000000", "1000001"), T) == []
    assert screens.relative_distance(bids("1", "100"), T) == []
