# 2x2 difference-in-differences by OLS with cluster-robust variances, every column at full
# precision (coeftest prints its t and p columns with few digits).
# R 4.2.2, sandwich 3.0-2, lmtest. Run from the repository root:
#   Rscript tests/reference/did/did_ols.R
# Reads did_panel.csv (written by survival_ref.R, section 7); writes did_ols.out (CSV).
suppressMessages({library(sandwich); library(lmtest)})
pan <- read.csv("tests/reference/did/did_panel.csv")
m <- lm(y ~ treat * post, data = pan)
fmt <- function(v) sprintf("%.17g", v)
out <- c(sprintf("# R %s, sandwich %s, lmtest %s", getRversion(), packageVersion("sandwich"),
                 packageVersion("lmtest")), "vcov,term,estimate,se,t,p")
for (type in c("HC1", "HC0")) {
  ct <- coeftest(m, vcov. = vcovCL(m, cluster = ~unit, type = type))
  for (i in seq_len(nrow(ct)))
    out <- c(out, paste(type, rownames(ct)[i], fmt(ct[i, 1]), fmt(ct[i, 2]), fmt(ct[i, 3]),
                        fmt(ct[i, 4]), sep = ","))
}
writeLines(out, "tests/reference/did/did_ols.out")
