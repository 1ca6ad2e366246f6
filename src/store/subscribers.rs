//! Subscribers, subscriptions and the digest send ledger (owned by the mail stage). SQL for both backends.
