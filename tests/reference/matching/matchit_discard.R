# MatchIt's common-support discard (discard = "both" / "treated" / "control") on lalonde:
# which units are discarded and the sample-size table summary() prints (All, Matched,
# Unmatched, Discarded). Reference for fipeval.matching.match(discard=...)
# (tests/test_matching_methods.py::test_discard_matches_matchit).
# The counts and the discarded units do not depend on MatchIt issue #163 (which neighbour a
# 4.5.1-4.5.3 nearest-neighbour match picks), so Debian's MatchIt 4.5.1 serves.
# Run from this folder: Rscript matchit_discard.R > matchit_discard.csv
suppressPackageStartupMessages(library(MatchIt))
lalonde <- read.csv("lalonde.csv")
f <- treat ~ age + educ + black + hispan + married + nodegree + re74 + re75
cat(sprintf("# R %s, MatchIt %s\n", getRversion(), packageVersion("MatchIt")))
rows <- list()
for (d in c("both", "treated", "control")) {
  m <- matchit(f, data = lalonde, method = "nearest", distance = "glm", discard = d)
  nn <- summary(m)$nn
  rows[[d]] <- data.frame(discard = d, id = lalonde$id, discarded = as.integer(m$discarded),
                          weight = m$weights,
                          all_control = nn["All", "Control"], all_treated = nn["All", "Treated"],
                          matched_control = nn["Matched", "Control"],
                          matched_treated = nn["Matched", "Treated"],
                          unmatched_control = nn["Unmatched", "Control"],
                          unmatched_treated = nn["Unmatched", "Treated"],
                          discarded_control = nn["Discarded", "Control"],
                          discarded_treated = nn["Discarded", "Treated"])
}
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE, quote = FALSE)
