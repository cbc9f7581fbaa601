"""Every state change of supervision, one module per sub-domain:

- `common`: actor checks, document numbers, the one move helper of each state machine
- `plans`: the yearly plan and its inspections (现场监督 五(1)): notice, start, report, opinion, close
- `onsite`: what happens on site and after: work records, seals, findings, 责令改正 (四(3)),
  rectification orders, follow-ups and 约谈 (六(1)), referrals (六(2)-(4))
- `penalties`: 行政处理处罚意见（报批） (六(2)) on the shared review workflow: drafted and submitted by an
  auditor, approved by a bureau leader, sent (its Referral) only once approved
- `offsite`: 非现场监督 (五(2)): data requests, submissions, review, report, escalation
- `suspects`: 疑点核查 (三(2)①): list imports, matching, system scans, verify/dismiss
- `whistle`: 举报 (三(1)③)
- `training`: training sessions and guidance/check visits (duty 4)
- `daily`: the daily job (逾期视同无异议)
"""
