"""A WLP's mint and redeem through the ssikit session (the README's example; run by the tests).

python examples/wlp_mint_redeem.py deployments.json   (a local chain with MAG7.ssi deployed)
"""

import sys

from ssikit.chain.session import Session
from ssikit.core.requests import RequestStatus

registry = sys.argv[1] if len(sys.argv) > 1 else "deployments.json"
with Session.open(registry, test_account=3) as session:  # `account="alias"` on a live network
    mag7 = session.index("MAG7.ssi")
    minted = mag7.request_mint("2.5")  # whole tokens; now deliver the basket to the custodians
    print("mint", minted.id, minted.status.label)
    if mag7.free_balance() >= 10**18:  # tokens from an earlier, confirmed mint
        redeemed = mag7.request_redeem("1")
        print("redeem", redeemed.id, redeemed.status.label)
    for request in mag7.requests():  # withdraw mints older than this one still waiting
        if request.status is RequestStatus.MINT_PENDING and request.id != minted.id:
            print("cancel", request.id, mag7.cancel(request.id).status.label)
