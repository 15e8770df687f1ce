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


def test_the_same_project_manager_in_different_bidders_bids_is_flagged() -> None:
    named = [BidFacts("A", project_manager="王 建国"), BidFacts("B", project_manager="王建国"),
             BidFacts("C", project_manager="李四")]
    flags = screens.same_project_manager(named, T)
    assert [(f.credit_codes, f.evidence) for f in flags] == [(["A", "B"], {"project_manager": "王建国"})]
    assert screens.same_project_manager([BidFacts("A", project_manager="王建国"), BidFacts("B", project_manager="李四"),
                                         BidFacts("C")], T) == []


def test_one_agent_acting_for_different_bidders_is_flagged() -> None:
    acted = [BidFacts("A", agents=("enterprise:u-1",)), BidFacts("B", agents=("enterprise:u-2", "enterprise:u-1")),
             BidFacts("C", agents=("enterprise:u-3",))]
    flags = screens.same_agent(acted, T)
    assert [(f.screen, f.credit_codes, f.evidence) for f in flags] == [("same_agent", ["A", "B"], {"agent": "enterprise:u-1"})]
    assert screens.same_agent([BidFacts("A", agents=("key:a", "key:a")), BidFacts("B", agents=("key:b",))], T) == []


def test_a_contact_phone_shared_by_different_bidders_is_flagged_however_it_is_written() -> None:
    phoned = [BidFacts("A", contact_phone="+86 138-0000-1234"), BidFacts("B", contact_phone="13800001234"),
              BidFacts("C", contact_phone="13900001234")]
    flags = screens.same_contact_phone(phoned, T)
    assert [(f.credit_codes, f.evidence) for f in flags] == [(["A", "B"], {"contact_phone": "13800001234"})]
    assert screens.same_contact_phone([BidFacts("A", contact_phone="13800001234"), BidFacts("B")], T) == []


def test_bid_files_made_on_one_machine_are_flagged() -> None:
    made = [BidFacts("A", machine_code="MAC-00:1A:2B"), BidFacts("B", machine_code="mac-00:1a:2b "),
            BidFacts("C", machine_code="MAC-FF")]
    flags = screens.same_machine_code(made, T)
    assert [(f.credit_codes, f.evidence) for f in flags] == [(["A", "B"], {"machine_code": "mac-00:1a:2b"})]
    assert screens.same_machine_code([BidFacts("A", machine_code="M1"), BidFacts("B", machine_code="M2")], T) == []


def test_every_indicator_of_article_40_runs_in_the_screens_of_a_section() -> None:
    ring = [BidFacts("A", project_manager="王工", agents=("key:x",), contact_phone="13800001234", machine_code="M1"),
            BidFacts("B", project_manager="王工", agents=("key:x",), contact_phone="13800001234", machine_code="M1")]
    assert {f.screen for f in screens.screen_all(ring, T)} == {
        "same_project_manager", "same_agent", "same_contact_phone", "same_machine_code"}
