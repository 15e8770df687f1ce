"""Every refusal the bidding service can explain, one class per stable ``code``.

Routes and rules raise these by name (CONTRIBUTING.md, "One shape"), so a code is spelled once
here and a client can rely on it. What the platform shares keeps the kit's spelling: a step the
project's status does not allow is :class:`ProjectStatusForbids` (``transition_forbidden``), a key
without the route's scope is the kit's ``ScopeMissing``. The detail of each error names the
project, the state and the step; the class only fixes the status and the code.
"""

from __future__ import annotations

from bianmin.kit.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    NotFound,
    TransitionForbidden,
    Unprocessable,
)
from bianmin.kit.errors import SeparationOfDuties as SeparationOfDuties  # the kit's code, raised here by name

# --- 404: what does not exist, or is not this principal's to see --------------------------------


class ProjectNotFound(NotFound):
    """No such project, or another site's draft."""

    code = "project_not_found"


class CustodianKeyNotFound(NotFound):
    """The custodian has registered no key yet."""

    code = "custodian_key_not_found"


class SectionNotFound(NotFound):
    """The project has no section of that code."""

    code = "section_not_found"


class BidNotFound(NotFound):
    """No such bid in the project (or, for scores and defaults, no counted or valid one)."""

    code = "bid_not_found"


class NotRegistered(NotFound):
    """The enterprise did not register for the project or section."""

    code = "not_registered"


class ObjectionNotFound(NotFound):
    """No objection of that id in the project."""

    code = "objection_not_found"


class RecoveryNotFound(NotFound):
    """No escrow recovery of that id (in the project)."""

    code = "recovery_not_found"


class ExpertNotFound(NotFound):
    """No expert of that code in the pool."""

    code = "expert_not_found"


class DrawNotFound(NotFound):
    """The project has no committed expert draw."""

    code = "draw_not_found"


class FlagNotFound(NotFound):
    """No collusion flag of that id on the supervisor's sites."""

    code = "flag_not_found"


class HearingNotFound(NotFound):
    """No hearing (陈述申辩) of that bidder on that flag."""

    code = "hearing_not_found"


class ComplaintNotFound(NotFound):
    """No complaint of that id on the supervisor's sites."""

    code = "complaint_not_found"


class AuctionNotFound(NotFound):
    """The project has no auction."""

    code = "auction_not_found"


# --- 403: who may not do this --------------------------------------------------------------------


class CreditBarred(Forbidden):
    """The enterprise's five-color credit code bars it from registering and bidding."""

    code = "credit_barred"


class NotACustodian(Forbidden):
    """The signed-in custodian holds no share of this tender's escrow key (or has registered no key)."""

    code = "not_a_custodian"


class NotOnTheCommittee(Forbidden):
    """The signed-in expert was not drawn for this project's committee."""

    code = "not_on_the_committee"



class NotTheBidder(Forbidden):
    """The key does not act for the enterprise it names (party scope ``bidding:bidder:<credit code>``)."""

    code = "not_the_bidder"


class NotInvited(Forbidden):
    """An invited tender takes registrations from the invited only."""

    code = "not_invited"


# --- 409: the tender's status does not allow the step ---------------------------------------------


class ProjectStatusForbids(TransitionForbidden):
    """The project's status does not allow this step (the platform's one code, ``transition_forbidden``)."""


class ProjectExists(Conflict):
    """A project with that code exists already."""

    code = "project_exists"


class SubjectExists(Conflict):
    """The buyer's registry holds that work already, under that code or that name (no renamed copies)."""

    code = "subject_exists"


class NotInvitedTender(Conflict):
    """Invitations go to invited tenders only."""

    code = "not_invited_tender"


class NotPublished(Conflict):
    """Complaints concern published tenders, not drafts or direct contracts."""

    code = "not_published"


class NotFinished(Conflict):
    """A project is archived once it is awarded, failed or cancelled."""

    code = "not_finished"


class NotArchived(Conflict):
    """Re-verification needs a signed archive version; a finished project gets one within a worker's poll."""

    code = "not_archived"


class BorrowingNotFound(NotFound):
    """No borrowing (借阅) of an archive by that id."""

    code = "borrowing_not_found"


class BorrowingDecided(Conflict):
    """A borrowing is approved or refused once."""

    code = "borrowing_decided"


class BorrowingNotApproved(Conflict):
    """An archive is read under a borrowing only once a supervisor approved it."""

    code = "borrowing_not_approved"


class BorrowingExpired(Conflict):
    """An approved borrowing reads the archive until it expires, not after."""

    code = "borrowing_expired"


class NotTheBorrower(Forbidden):
    """A borrowing lets the person who asked for it read, no one else."""

    code = "not_the_borrower"


class DeadlinePassed(Conflict):
    """Registration, bidding and invitations close at the bid deadline."""

    code = "deadline_passed"


class DeadlineNotReached(Conflict):
    """Closing, and the published commitment lists, wait for the bid deadline."""

    code = "deadline_not_reached"


class RegistrationClosed(Conflict):
    """Registration is open while the tender is published and before its deadline."""

    code = "registration_closed"


class AlreadyRegistered(Conflict):
    """The enterprise is registered for the section already."""

    code = "already_registered"


class NoActiveBid(Conflict):
    """The bidder has no active bid to withdraw."""

    code = "no_active_bid"


# --- 409: the opening -----------------------------------------------------------------------------


class OpeningNotReached(Conflict):
    """The opening starts at its time, not before."""

    code = "opening_not_reached"


class NotOpening(Conflict):
    """Sign-in, reveals and escrow requests happen while the opening runs."""

    code = "not_opening"


class NotOpened(Conflict):
    """Nothing of the bids is shown before the opening."""

    code = "not_opened"


class NotSignedIn(Conflict):
    """A bidder decrypts its bid only after signing in to the opening (不见面开标: sign-in, then decryption)."""

    code = "not_signed_in"


class OpeningRunning(Conflict):
    """The opening record is published when the opening closes; until then it is streamed."""

    code = "opening_running"


class WindowOpen(Conflict):
    """The decryption or confirmation window is still open."""

    code = "window_open"


class WindowClosed(Conflict):
    """The decryption, confirmation or publicity window has closed."""

    code = "window_closed"


class BidNotCounted(Conflict):
    """Only a counted bid of an opened section is revealed or recovered."""

    code = "bid_not_counted"


class AlreadyRevealed(Conflict):
    """The bid was revealed already."""

    code = "already_revealed"


class NotAcceptingResponses(Conflict):
    """Confirmations and objections are taken after the opening, objections also during publicity."""

    code = "not_accepting_responses"


class AlreadyConfirmed(Conflict):
    """The bidder confirmed the opening record already."""

    code = "already_confirmed"


class AlreadyAnswered(Conflict):
    """The objection was answered already."""

    code = "already_answered"


# --- 409: escrow recovery -------------------------------------------------------------------------


class NoEscrow(Conflict):
    """The tender has no escrow key, or the bid carries no escrow-wrapped key."""

    code = "no_escrow"


class RecoveryPending(Conflict):
    """An escrow recovery is still collecting shares."""

    code = "recovery_pending"


class DirectContractApproved(Conflict):
    """The direct-contract filing is approved already (or the project is no direct-contract filing)."""

    code = "direct_contract_approved"


class NotADirectContract(Conflict):
    """The project was tendered, not filed as a direct contract."""

    code = "not_a_direct_contract"


class NoRecoveryCollecting(Conflict):
    """No recovery of the tender is collecting shares, so no custodian needs theirs."""

    code = "no_recovery_collecting"


class RecoveryClosed(Conflict):
    """The recovery has completed, failed or been abandoned."""

    code = "recovery_closed"


class ShareSubmitted(Conflict):
    """The custodian has submitted its share already."""

    code = "share_submitted"


# --- 409: experts, evaluation and award -----------------------------------------------------------


class ExpertExists(Conflict):
    """An expert with that code is in the pool already."""

    code = "expert_exists"


class NoEvaluationCommittee(Conflict):
    """Direct contracts and auctioned lots have no evaluation committee to draw."""

    code = "no_evaluation_committee"


class DrawExists(Conflict):
    """The project has a committed draw already."""

    code = "draw_exists"


class DrawMade(Conflict):
    """The committed draw has been made already."""

    code = "draw_made"


class DrawNotMade(Conflict):
    """The draw has not been made: its seed is still sealed."""

    code = "draw_not_made"


class DrawNotPublic(Conflict):
    """The committee stays undisclosed to the public until evaluation is over."""

    code = "draw_not_public"


class SeedContributionMissing(Conflict):
    """The draw waits for a supervisor's seed, so the platform alone cannot choose its outcome."""

    code = "seed_contribution_missing"


class SeedContributed(Conflict):
    """A draw takes one contributed seed, before it is made."""

    code = "seed_contributed"


class ExpertHasScored(Conflict):
    """An expert who has scored bids cannot decline and be replaced (招标投标法 §44: the evaluation is theirs)."""

    code = "expert_has_scored"


class NotEnoughExperts(Conflict):
    """After recusals the pool holds fewer eligible experts than the committee needs."""

    code = "not_enough_experts"


class NotEvaluating(Conflict):
    """Scores are recorded during evaluation."""

    code = "not_evaluating"


class NotComprehensive(Conflict):
    """Lowest-price evaluation takes no technical scores."""

    code = "not_comprehensive"


class ExpertsNotDrawn(Conflict):
    """Scores come from the drawn committee, so the draw comes first."""

    code = "experts_not_drawn"


class ScoresMissing(Conflict):
    """Comprehensive scoring ranks only when every valid bid has a technical score."""

    code = "scores_missing"


class ObjectionsUnanswered(Conflict):
    """Objections must be answered before evaluation starts or the award is made."""

    code = "objections_unanswered"


class PublicityRunning(Conflict):
    """The award waits for the publicity of the candidates to end."""

    code = "publicity_running"


class ComplaintPending(Conflict):
    """No award is made while a complaint on the project is pending."""

    code = "complaint_pending"


class NotAwarded(Conflict):
    """Only an awarded section has a contract."""

    code = "not_awarded"


class ContractSigned(Conflict):
    """The section's contract is recorded already."""

    code = "contract_signed"


class LowPriceUndecided(Conflict):
    """A price flagged as abnormally low waits for the committee's decision (实施条例 §51(5))."""

    code = "low_price_undecided"


class NotFlaggedLow(Conflict):
    """The bid's price was not flagged as abnormally low, so there is nothing to decide."""

    code = "not_flagged_low"


class LowPriceDecided(Conflict):
    """The committee decided on this low price already."""

    code = "low_price_decided"


class SectionEnded(Conflict):
    """The section failed or was awarded already; its bids are no longer judged."""

    code = "section_ended"


class WinnerNotDefaulted(Conflict):
    """The award moves to the next candidate only after the winner's default is recorded (实施条例 §55)."""

    code = "winner_not_defaulted"


class NoNextCandidate(Conflict):
    """No publicised candidate is left to award; the section is tendered again (实施条例 §55)."""

    code = "no_next_candidate"


# --- 409: supervision -----------------------------------------------------------------------------


class FlagDecided(Conflict):
    """A confirmed or dismissed collusion flag stays decided."""

    code = "flag_decided"


class HearingOpened(Conflict):
    """The bidder was given its hearing on this flag already; one flag, one hearing per bidder."""

    code = "hearing_opened"


class HearingPending(Conflict):
    """A bidder is confirmed only after its hearing: opened, and answered or past its deadline (行政处罚法 §44-45)."""

    code = "hearing_pending"


class HearingClosed(Conflict):
    """The hearing's deadline passed, or the bidder answered already: the statement is on file as it is."""

    code = "hearing_closed"


class BidderDecided(Conflict):
    """The supervisor decided on this bidder of the flag already."""

    code = "bidder_decided"


class ComplaintDecided(Conflict):
    """The complaint was accepted, upheld, dismissed or not accepted already: that step is behind it."""

    code = "complaint_decided"


class ComplaintNotAccepted(Conflict):
    """A complaint is upheld or dismissed only once the supervising department accepted it (实施条例 §61)."""

    code = "complaint_not_accepted"


# --- 409: auctions --------------------------------------------------------------------------------


class NotAuctioned(Conflict):
    """Only a one-lot land-use or state-property project is auctioned."""

    code = "not_auctioned"


class AuctionExists(Conflict):
    """The project has an auction already."""

    code = "auction_exists"


class AuctionNotRunning(Conflict):
    """The auction takes ascending bids between its start and end only."""

    code = "auction_not_running"


class AuctionRunning(Conflict):
    """The auction, or its final round, has not ended yet."""

    code = "auction_running"


class AuctionFinished(Conflict):
    """The auction has ended or failed already."""

    code = "auction_finished"


class DepositNotSecured(Conflict):
    """A bidder needs a secured deposit for the lot."""

    code = "deposit_not_secured"


class AlreadyLeading(Conflict):
    """The leader cannot outbid itself."""

    code = "already_leading"


class Outbid(Conflict):
    """Another bid was accepted on the same price first; bid again on the new one."""

    code = "outbid"


class FinalRoundClosed(Conflict):
    """No final round is running."""

    code = "final_round_closed"


class NotRemainingBidder(Conflict):
    """Only bidders who bid before the cap give a final offer."""

    code = "not_remaining_bidder"


class FinalOfferGiven(Conflict):
    """Each remaining bidder gives one sealed final offer."""

    code = "final_offer_given"


# --- 422: a field that breaks a rule with a code of its own --------------------------------------


class FieldRefused(Unprocessable):
    """A 422 naming one field, under the subclass's own code.

    The kit's ``Unprocessable.field`` answers ``invalid_field`` unless given a ``code=``; these
    classes keep their code without one, so the code is spelled here only.
    """

    @classmethod
    def field(cls, field: str, reason: str, *, code: str | None = None) -> Unprocessable:
        """A 422 naming ``field`` and why it is wrong, with this class's code."""
        problem = cls(f"{field}: {reason}", errors=[FieldProblem(field=field, reason=reason)])
        if code is not None:
            problem.code = code
        return problem


class DirectContractOverThreshold(FieldRefused):
    """A direct contract at or above its kind's threshold must be tendered (发改委令第16号 §5)."""

    code = "direct_contract_over_threshold"


class DirectContractSplit(FieldRefused):
    """Direct contracts for one work within 12 months that reach the threshold together must be tendered (§24)."""

    code = "direct_contract_split"


class RevealFailed(FieldRefused):
    """The revealed key does not open the bid, or the bid does not match its commitment."""

    code = "reveal_failed"


class ComplaintLate(FieldRefused):
    """Complaints are filed within the complaint days of knowing of the matter (§60)."""

    code = "complaint_late"


class ObjectionRequired(FieldRefused):
    """A complaint on the opening or the evaluation result needs a prior objection (§60)."""

    code = "objection_required"


class TenderPeriodTooShort(FieldRefused):
    """The bid deadline comes sooner after the documents' issue than the tender's period (招标投标法 §24)."""

    code = "tender_period_too_short"


class SalePeriodTooShort(FieldRefused):
    """A sale's timetable is shorter than the announcement, listing or disclosure period its rule sets
    (国土资源部令第39号 §8 and §19, 国资委 财政部令第32号 §13)."""

    code = "sale_period_too_short"
