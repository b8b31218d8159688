# Weighted CR2 (Bell-McCaffrey) with Satterthwaite degrees of freedom, as clubSandwich
# computes them, for fipeval's fit_ols(vcov="CR2", weights=..., inverse_var=...).
# R 4.2.2, clubSandwich 0.5.8, sandwich 3.0.2.
# Run from the repository root: Rscript tests/reference/inference/cr2_weighted.R
# Writes cr2_weighted.csv (the data) and cr2_weighted.out (one value per line, 17 digits).
suppressMessages(library(clubSandwich))
set.seed(20261204)
make <- function(name, n_clusters, sizes, w_fun) {
  cl <- rep(seq_len(n_clusters), times = sizes)
  n <- length(cl)
  treat <- as.integer(cl %% 3 == 0)          # treatment by cluster
  x <- rnorm(n) + 0.3 * cl / n_clusters      # a row-level covariate
  u <- rnorm(n_clusters)[cl]
  y <- 1 + 0.5 * treat + 0.8 * x + u + rnorm(n, sd = 1 + treat)
  data.frame(dataset = name, cluster = cl, treat = treat, x = x, y = y, w = w_fun(n))
}
d <- rbind(
  make("unequal", 9, c(2, 5, 11, 3, 7, 1, 4, 9, 6), function(n) runif(n, 0.2, 3)),
  make("matching", 12, rep(c(8, 3, 15), 4), function(n) sample(c(1, 0.5, 1 / 3, 2), n, TRUE)),
  make("few_large", 4, c(40, 25, 60, 33), function(n) rexp(n) + 0.1)
)
write.csv(d, "tests/reference/inference/cr2_weighted.csv", row.names = FALSE)
out <- c(sprintf("# R %s, clubSandwich %s, sandwich %s", getRversion(),
                 packageVersion("clubSandwich"), packageVersion("sandwich")),
         "dataset,inverse_var,quantity,term,term2,value")
fmt <- function(v) sprintf("%.17g", v)
for (name in unique(d$dataset)) {
  s <- d[d$dataset == name, ]
  fit <- lm(y ~ treat + x, data = s, weights = w)
  for (iv in c(FALSE, TRUE)) {
    V <- vcovCR(fit, cluster = s$cluster, type = "CR2", inverse_var = iv)
    ct <- coef_test(fit, vcov = V, test = "Satterthwaite")
    terms <- names(coef(fit))
    for (j in seq_along(terms)) {
      out <- c(out,
        paste(name, iv, "coef", terms[j], "", fmt(coef(fit)[j]), sep = ","),
        paste(name, iv, "se", terms[j], "", fmt(ct$SE[j]), sep = ","),
        paste(name, iv, "df", terms[j], "", fmt(ct$df_Satt[j]), sep = ","),
        paste(name, iv, "p", terms[j], "", fmt(ct$p_Satt[j]), sep = ","))
      for (k in seq_along(terms))
        out <- c(out, paste(name, iv, "vcov", terms[j], terms[k], fmt(as.matrix(V)[j, k]), sep = ","))
    }
  }
}
writeLines(out, "tests/reference/inference/cr2_weighted.out")
