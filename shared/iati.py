"""IATI codes the platform's rules name (their labels are in shared/data/iati/codelists)."""

# ActivityStatus
PIPELINE, IMPLEMENTATION, FINALISATION, CLOSED = "1", "2", "3", "4"

# TransactionType
COMMITMENT, DISBURSEMENT, EXPENDITURE = "2", "3", "4"
INCOMING_COMMITMENT = "11"
