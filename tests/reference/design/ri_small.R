# Randomization-t reference for fipeval.inference.design.randomization_t, in base R.
# Run from this folder: Rscript ri_small.R > ri_small.out 2>&1
# Writes ri_small.csv (the data) and prints, for an unstratified and a stratified design,
# every assignment's studentised statistic summary: p-value, the 95% quantile of |t|
# (type 1: the inverse of the empirical distribution), and the interval est -/+ q * se.
options(digits = 17)
cat("R:", R.version.string, "\n")
n_per <- 5
cw <- rep(1:12, each = n_per)
stratum <- ifelse(cw <= 6, "A", "B")
fip <- as.integer(cw %in% c(1, 2, 7))
i <- seq_along(cw)
y <- round(10 * sin(i * 1.3) + 3 * cos(cw * 0.7) + 2 * fip, 6)
write.csv(data.frame(caseworker = cw, stratum = stratum, fip = fip, y = y), "ri_small.csv",
          row.names = FALSE)
diff_t <- function(d) {
  a <- y[d == 1]; b <- y[d == 0]
  est <- mean(a) - mean(b)
  se <- sqrt(var(a) / length(a) + var(b) / length(b))
  c(est, se)
}
report <- function(label, assignments) {
  obs <- diff_t(fip)
  t <- apply(assignments, 1, function(treated) { s <- diff_t(as.integer(cw %in% treated)); s[1] / s[2] })
  t0 <- obs[1] / obs[2]
  p <- mean(abs(t) >= abs(t0) * (1 - 1e-9))
  q <- quantile(abs(t), 0.95, type = 1, names = FALSE)
  cat("\n=====", label, "=====\n")
  cat("assignments:", length(t), "\n")
  cat(sprintf("estimate %.17g\nstd_error %.17g\np_value %.17g\nq %.17g\nci_lower %.17g\nci_upper %.17g\n",
              obs[1], obs[2], p, q, obs[1] - q * obs[2], obs[1] + q * obs[2]))
}
# unstratified: 3 of 12 caseworkers
report("unstratified", t(combn(12, 3)))
# stratified: 2 of caseworkers 1-6 and 1 of 7-12
a <- t(combn(1:6, 2)); b <- matrix(7:12, ncol = 1)
grid <- expand.grid(i = seq_len(nrow(a)), j = seq_len(nrow(b)))
report("stratified", cbind(a[grid$i, ], b[grid$j, ]))
