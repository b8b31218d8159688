# A Cox fit with an infinite coefficient (perfect separation) in R's survival, for
# tests/test_survival_cox.py::test_infinite_coefficient_warns.
# Run from the repository root: Rscript tests/reference/survival/separation.R > tests/reference/survival/separation.out
library(survival)
cat("R", R.version$major, ".", R.version$minor, " survival ", as.character(packageVersion("survival")), "\n", sep = "")
d <- read.csv("tests/reference/survival/rossi.csv")
d$sep <- as.numeric(d$arrest == 1 & d$week < 10)   # every early leaver, nobody else
for (robust in c(FALSE, TRUE)) {
  f <- withCallingHandlers(
    coxph(Surv(week, arrest) ~ sep + age, data = d, ties = "efron", robust = robust),
    warning = function(w) { cat("warning:", conditionMessage(w), "\n"); invokeRestart("muffleWarning") })
  cat("robust =", robust, "\n")
  print(summary(f)$coefficients, digits = 10)
}
