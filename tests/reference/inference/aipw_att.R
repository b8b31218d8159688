# Reference for fipeval.inference.adjusted: the doubly robust (AIPW) ATT, the propensity-odds
# weighted ATT and regression adjustment, written out by hand with base R's glm and lm (no
# package: the formulas are the ones the module docstring states).
# Data: MatchIt's lalonde (tests/reference/matching/lalonde.csv).
# Run from the repository root:
#   Rscript tests/reference/inference/aipw_att.R > tests/reference/inference/aipw_att.out
d <- read.csv("tests/reference/matching/lalonde.csv")
d$race <- factor(d$race)
cat(R.version.string, "\n")
f <- ~ age + educ + race + married + nodegree + re74 + re75
X <- model.matrix(f, d)
# propensity: logit of treat on the covariates
ps <- fitted(glm(d$treat ~ X - 1, family = binomial()))
odds <- ps / (1 - ps)
# control outcome regression: least squares of re78 on the covariates, controls only
ctl <- d$treat == 0
b0 <- coef(lm(d$re78[ctl] ~ X[ctl, ] - 1))
m0 <- as.vector(X %*% b0)
r <- d$re78 - m0
t1 <- d$treat == 1
aipw <- mean(r[t1]) - sum(odds[ctl] * r[ctl]) / sum(odds[ctl])
weighted <- mean(d$re78[t1]) - sum(odds[ctl] * d$re78[ctl]) / sum(odds[ctl])
regression <- unname(coef(lm(re78 ~ treat + age + educ + race + married + nodegree + re74 + re75,
                             data = d))["treat"])
# the same with a count-style base weight (exposure): b = educ / 10 multiplies every weight,
# and the control regression is weighted least squares with b
b <- d$educ / 10 + 0.5
b0w <- coef(lm(d$re78[ctl] ~ X[ctl, ] - 1, weights = b[ctl]))
rw <- d$re78 - as.vector(X %*% b0w)
aipw_b <- sum(b[t1] * rw[t1]) / sum(b[t1]) - sum(b[ctl] * odds[ctl] * rw[ctl]) / sum(b[ctl] * odds[ctl])
out <- data.frame(term = c("aipw", "weighted", "regression", "aipw_base_weights"),
                  estimate = c(aipw, weighted, regression, aipw_b))
write.csv(format(out, digits = 17), stdout(), row.names = FALSE, quote = FALSE)
