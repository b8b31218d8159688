# Classical tests fipeval takes from scipy / statsmodels, checked here against R instead of
# against the same library call: Pearson and Yates chi-square, Fisher's exact test, the
# Wilson interval, Welch's t test, the Mann-Whitney (Wilcoxon rank-sum) test with ties and
# continuity correction, Holm and Benjamini-Hochberg adjustment.
# R 4.2.2 (stats). Run from the repository root:
#   Rscript tests/reference/inference/classical.R
# Writes classical.csv (the two samples) and classical.out (CSV, 17 digits).
set.seed(7)
x <- rnorm(40, 1, 2)
y <- round(rnorm(65, 0, 1), 1)
write.csv(data.frame(group = rep(c("x", "y"), c(40, 65)), value = c(x, y)),
          "tests/reference/inference/classical.csv", row.names = FALSE)
fmt <- function(v) sprintf("%.17g", v)
out <- c(sprintf("# R %s", getRversion()), "case,quantity,value")
emit <- function(case, quantity, value) out <<- c(out, paste(case, quantity, fmt(value), sep = ","))
tables <- list(c(60, 360, 200, 1600), c(7, 20, 2, 25), c(0, 15, 4, 30), c(45, 50, 12, 40),
               c(3, 10, 4, 12))
for (tab in tables) {
  a <- tab[1]; n1 <- tab[2]; c0 <- tab[3]; n0 <- tab[4]
  m <- matrix(c(a, c0, n1 - a, n0 - c0), 2)
  case <- paste(tab, collapse = "_")
  for (correct in c(FALSE, TRUE)) {
    ct <- suppressWarnings(chisq.test(m, correct = correct))
    emit(case, paste0("chisq_", correct), ct$statistic)
    emit(case, paste0("chisq_p_", correct), ct$p.value)
  }
  emit(case, "fisher_p", fisher.test(m)$p.value)
  w1 <- suppressWarnings(prop.test(a, n1, correct = FALSE))$conf.int
  w0 <- suppressWarnings(prop.test(c0, n0, correct = FALSE))$conf.int
  emit(case, "wilson_fip_lower", w1[1]); emit(case, "wilson_fip_upper", w1[2])
  emit(case, "wilson_control_lower", w0[1]); emit(case, "wilson_control_upper", w0[2])
}
tt <- t.test(x, y, var.equal = FALSE, conf.level = 0.9)
emit("welch", "t", tt$statistic); emit("welch", "df", tt$parameter); emit("welch", "p", tt$p.value)
emit("welch", "lower", tt$conf.int[1]); emit("welch", "upper", tt$conf.int[2])
wt <- wilcox.test(round(x), round(y), exact = FALSE, correct = TRUE)
emit("mann_whitney", "W", wt$statistic); emit("mann_whitney", "p", wt$p.value)
p <- c(0.001, 0.04, 0.03, 0.2, 0.011, 0.04, 0.9)
for (method in c("holm", "BH")) {
  adj <- p.adjust(p, method)
  for (i in seq_along(p)) emit(paste0("adjust_", method), i, adj[i])
}
writeLines(out, "tests/reference/inference/classical.out")
