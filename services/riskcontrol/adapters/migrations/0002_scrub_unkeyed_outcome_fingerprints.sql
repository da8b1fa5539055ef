-- ReportOutcome's request fingerprints were a plain SHA-256 over the report with its IP and
-- device id in clear, which guessing (2^32 for an IPv4) reverses. Reports now carry a fingerprint
-- over the keyed hashes (prefix "keyed:"); the earlier ones are dropped. A retry of such a report
-- still gets its original outcome (the service accepts 'scrubbed' as a match), it is no longer
-- told apart from a reused request id with other content. Assess's request records in Redis
-- expire within 24 h and need nothing. Replicas of the previous version still running during a
-- rolling deploy may write a few more: the same statement run again after the deploy drops them.
UPDATE requests SET fingerprint = 'scrubbed'
WHERE result ? 'outcome_id' AND fingerprint NOT LIKE 'keyed:%';
