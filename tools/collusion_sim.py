"""``python -m tools.collusion_sim --seed 1 --tenders 2000``: the collusion screens on simulated tenders.

Prints, per screen and per number of bids, the share of honest sections flagged and the share of each
collusion pattern caught; ``--calibrate`` prints the critical-value tables the screens use. The models
and their assumptions are in :mod:`bianmin.bidding.collusion_sim`.
"""

from bianmin.bidding.collusion_sim import main

if __name__ == "__main__":
    main()
