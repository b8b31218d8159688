/* Reading the two commonest shapes of a text column straight from an Arrow string array's
 * buffers, one pass per column, for the loader's batches (quarter of a million rows each).
 *
 * The NumPy versions (fipeval.io.dates._strict, fipeval.io.fields.parse_amount's general
 * path) make a dozen whole-column temporaries; these loops make none. Optional: the loader
 * uses the NumPy versions when the module was not built, and the tests check that both give
 * the same values and flags on the same input.
 *
 * dates(data, offsets, kind, min_year, max_year, days, clean) -> None
 *     For each row i (offsets has n + 1 int32 entries), if its value is exactly
 *     ten bytes in the strict shape of `kind` (0: dd-mm-yyyy, 1: mm-dd-yyyy, 2: yyyy-mm-dd;
 *     separators '-', '/' or '.'), a real calendar date with min_year <= year <= max_year:
 *     days[i] = days since 1970-01-01 and clean[i] = 1; else clean[i] = 0 (days untouched).
 *
 * padded(data, separator) -> bool
 *     Whether any space (or tab, unless the separator is a tab) starts or ends the data or
 *     stands next to the separator, a line feed or a carriage return: whether a value may
 *     carry surrounding whitespace (fipeval.io.readers._maybe_padded). One memchr per space.
 *
 * factorize(values, codes, first, table) -> int
 *     Dense codes of 64-bit integers in order of first appearance (pandas.factorize's codes):
 *     codes[i] = the code of values[i], first[k] = the row where code k first appears;
 *     returns the number of distinct values. `table` is the caller's zeroed int32 scratch
 *     for open addressing, a power of two of at least twice the values (the loader reuses
 *     one: fresh pages cost more than the hashing).
 *
 * mix_column(hashes, column, salt, first) -> None
 *     Row hashes, one column at a time: x = mix(column[i] + salt) and hashes[i] = x for the
 *     first column, else mix(hashes[i] ^ x), mix being SplitMix64's finaliser (the NumPy
 *     version in fipeval.io.loading makes five whole-column temporaries a call).
 *
 * decimals(data, offsets, decimal, values, present) -> int
 *     Values of the shape -?[0-9]+(D[0-9]+)? with D = `decimal` (one byte) and at most 15
 *     digits in all: values[i] = the number (the integer of its digits divided by a power of
 *     ten, both exact doubles, so the quotient is the correctly rounded decimal, as strtod
 *     gives) and present[i] = 1; an empty value: present[i] = 0. Returns the row number of
 *     the first value of any other shape, or -1 when there is none (the caller then takes
 *     the general path for the whole column).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* n from the offsets (n + 1 int32 values), checked against the data buffer */
static int row_count(Py_buffer *data, Py_buffer *offsets, Py_ssize_t *n)
{
    if (offsets->len % 4 != 0 || offsets->len < 4) {
        PyErr_SetString(PyExc_ValueError, "offsets must hold n + 1 int32 values");
        return -1;
    }
    *n = offsets->len / 4 - 1;
    {
        const int32_t *off = (const int32_t *)offsets->buf;
        Py_ssize_t i;
        for (i = 0; i < *n; i++)
            if (off[i + 1] < off[i])
                break;
        if (off[0] < 0 || i < *n || off[*n] > data->len) {
            PyErr_SetString(PyExc_ValueError, "offsets run past the data buffer");
            return -1;
        }
    }
    return 0;
}

/* the four buffers of a call, released on every way out */
static void release4(Py_buffer *a, Py_buffer *b, Py_buffer *c, Py_buffer *d)
{
    PyBuffer_Release(a);
    PyBuffer_Release(b);
    PyBuffer_Release(c);
    PyBuffer_Release(d);
}

/* days from civil (proleptic Gregorian), H. Hinnant's algorithm */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int64_t y, int64_t m)
{
    static const int length[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return length[m - 1];
}

#define DIGIT(c) ((unsigned)((c) - '0') <= 9u)
#define SEP(c) ((c) == '-' || (c) == '/' || (c) == '.')
#define TWO(p) (((p)[0] - '0') * 10 + ((p)[1] - '0'))
#define FOUR(p) (((p)[0] - '0') * 1000 + ((p)[1] - '0') * 100 + ((p)[2] - '0') * 10 + ((p)[3] - '0'))

static PyObject *dates(PyObject *self, PyObject *args)
{
    Py_buffer data, offsets, days, clean;
    int kind, min_year, max_year;
    Py_ssize_t n, i;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*iiiw*w*", &data, &offsets, &kind, &min_year, &max_year,
                          &days, &clean))
        return NULL;
    if (row_count(&data, &offsets, &n) < 0 || days.len < n * 8 || clean.len < n ||
        kind < 0 || kind > 2) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "output buffers too short or unknown kind");
        release4(&data, &offsets, &days, &clean);
        return NULL;
    }
    {
        const unsigned char *buf = (const unsigned char *)data.buf;
        const int32_t *off = (const int32_t *)offsets.buf;
        int64_t *out = (int64_t *)days.buf;
        unsigned char *ok = (unsigned char *)clean.buf;
        Py_BEGIN_ALLOW_THREADS
        for (i = 0; i < n; i++) {
            const unsigned char *p = buf + off[i];
            int64_t y, m, d;
            ok[i] = 0;
            if (off[i + 1] - off[i] != 10)
                continue;
            if (kind == 2) {
                if (!(DIGIT(p[0]) && DIGIT(p[1]) && DIGIT(p[2]) && DIGIT(p[3]) && SEP(p[4]) &&
                      DIGIT(p[5]) && DIGIT(p[6]) && SEP(p[7]) && DIGIT(p[8]) && DIGIT(p[9])))
                    continue;
                y = FOUR(p);
                m = TWO(p + 5);
                d = TWO(p + 8);
            } else {
                if (!(DIGIT(p[0]) && DIGIT(p[1]) && SEP(p[2]) && DIGIT(p[3]) && DIGIT(p[4]) &&
                      SEP(p[5]) && DIGIT(p[6]) && DIGIT(p[7]) && DIGIT(p[8]) && DIGIT(p[9])))
                    continue;
                y = FOUR(p + 6);
                if (kind == 0) {
                    d = TWO(p);
                    m = TWO(p + 3);
                } else {
                    m = TWO(p);
                    d = TWO(p + 3);
                }
            }
            if (m < 1 || m > 12 || y < min_year || y > max_year || d < 1 || d > month_days(y, m))
                continue;
            out[i] = days_from_civil(y, m, d);
            ok[i] = 1;
        }
        Py_END_ALLOW_THREADS
    }
    release4(&data, &offsets, &days, &clean);
    Py_RETURN_NONE;
}

static int edge(const unsigned char *p, const unsigned char *start, const unsigned char *end,
                int separator)
{
    if (p == start || p + 1 == end)
        return 1;
    return p[-1] == separator || p[-1] == '\n' || p[-1] == '\r' || p[1] == separator ||
           p[1] == '\n' || p[1] == '\r';
}

static int any_padded(const unsigned char *start, const unsigned char *end, int blank, int separator)
{
    const unsigned char *p = start;
    while (p < end && (p = memchr(p, blank, (size_t)(end - p))) != NULL) {
        if (edge(p, start, end, separator))
            return 1;
        p++;
    }
    return 0;
}

static PyObject *padded(PyObject *self, PyObject *args)
{
    Py_buffer data;
    int separator, found;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*C", &data, &separator))
        return NULL;
    {
        const unsigned char *start = (const unsigned char *)data.buf, *end = start + data.len;
        Py_BEGIN_ALLOW_THREADS
        found = any_padded(start, end, ' ', separator) ||
                (separator != '\t' && any_padded(start, end, '\t', separator));
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&data);
    return PyBool_FromLong(found);
}

static PyObject *factorize(PyObject *self, PyObject *args)
{
    Py_buffer values, codes, first, table;
    Py_ssize_t n, i, distinct = 0;
    uint64_t size;
    int shift = 64;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*w*w*w*", &values, &codes, &first, &table))
        return NULL;
    n = values.len / 8;
    size = (uint64_t)(table.len / 4);
    while (((uint64_t)1 << (64 - shift)) < size)
        shift--;
    if (codes.len < n * 8 || first.len < n * 8 || n >= INT32_MAX || size < 2 * (uint64_t)n ||
        size < 2 || ((uint64_t)1 << (64 - shift)) != size) {
        PyErr_SetString(PyExc_ValueError, "output buffers too short, or the table is not a "
                                          "power of two of at least twice the values");
        goto done;
    }
    {
        const int64_t *v = (const int64_t *)values.buf;
        int64_t *out = (int64_t *)codes.buf, *at = (int64_t *)first.buf;
        int32_t *slots = (int32_t *)table.buf;                /* code + 1; 0: empty */
        Py_BEGIN_ALLOW_THREADS
        for (i = 0; i < n; i++) {
            uint64_t slot = ((uint64_t)v[i] * 0x9E3779B97F4A7C15ULL) >> shift;
            for (;;) {
                int32_t code = slots[slot];
                if (code == 0) {
                    slots[slot] = (int32_t)(distinct + 1);
                    at[distinct] = i;
                    out[i] = distinct++;
                    break;
                }
                if (v[at[code - 1]] == v[i]) {
                    out[i] = code - 1;
                    break;
                }
                slot = (slot + 1) & (size - 1);
            }
        }
        Py_END_ALLOW_THREADS
    }
done:
    release4(&values, &codes, &first, &table);
    if (PyErr_Occurred())
        return NULL;
    return PyLong_FromSsize_t(distinct);
}

static inline uint64_t splitmix(uint64_t z)
{
    z ^= z >> 30;
    z *= 0xBF58476D1CE4E5B9ULL;
    z ^= z >> 27;
    z *= 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static PyObject *mix_column(PyObject *self, PyObject *args)
{
    Py_buffer hashes, column;
    unsigned long long salt;
    int first;
    Py_ssize_t n, i;
    (void)self;
    if (!PyArg_ParseTuple(args, "w*y*Kp", &hashes, &column, &salt, &first))
        return NULL;
    n = hashes.len / 8;
    if (column.len != hashes.len) {
        PyErr_SetString(PyExc_ValueError, "hashes and column must both hold n 64-bit values");
        PyBuffer_Release(&hashes);
        PyBuffer_Release(&column);
        return NULL;
    }
    {
        uint64_t *h = (uint64_t *)hashes.buf;
        const uint64_t *x = (const uint64_t *)column.buf;
        Py_BEGIN_ALLOW_THREADS
        if (first)
            for (i = 0; i < n; i++)
                h[i] = splitmix(x[i] + salt);
        else
            for (i = 0; i < n; i++)
                h[i] = splitmix(h[i] ^ splitmix(x[i] + salt));
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&hashes);
    PyBuffer_Release(&column);
    Py_RETURN_NONE;
}

static const double POW10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                  1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

static PyObject *decimals(PyObject *self, PyObject *args)
{
    Py_buffer data, offsets, values, present;
    int decimal;
    Py_ssize_t n, i, bad = -1;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*Cw*w*", &data, &offsets, &decimal, &values, &present))
        return NULL;
    if (row_count(&data, &offsets, &n) < 0 || values.len < n * 8 || present.len < n) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "output buffers too short");
        release4(&data, &offsets, &values, &present);
        return NULL;
    }
    {
        const unsigned char *buf = (const unsigned char *)data.buf;
        const int32_t *off = (const int32_t *)offsets.buf;
        double *out = (double *)values.buf;
        unsigned char *has = (unsigned char *)present.buf;
        Py_BEGIN_ALLOW_THREADS
        for (i = 0; i < n; i++) {
            const unsigned char *p = buf + off[i], *end = buf + off[i + 1];
            int negative = 0, digits = 0, fraction = -1, before = 0;
            int64_t mantissa = 0;
            double value;
            has[i] = 0;
            if (p == end)
                continue;
            if (*p == '-') {
                negative = 1;
                p++;
            }
            for (; p < end; p++) {
                if (DIGIT(*p)) {
                    if (digits == 15)
                        break;              /* too long to be exact: the general path */
                    mantissa = mantissa * 10 + (*p - '0');
                    digits++;
                    if (fraction >= 0)
                        fraction++;
                    else
                        before++;
                } else if (*p == decimal && fraction < 0) {
                    fraction = 0;
                } else {
                    break;
                }
            }
            if (p != end || before == 0 || fraction == 0) {
                bad = i;
                break;
            }
            value = (double)mantissa / POW10[fraction > 0 ? fraction : 0];
            out[i] = negative ? -value : value;
            has[i] = 1;
        }
        Py_END_ALLOW_THREADS
    }
    release4(&data, &offsets, &values, &present);
    return PyLong_FromSsize_t(bad);
}

static PyMethodDef methods[] = {
    {"dates", dates, METH_VARARGS,
     "dates(data, offsets, kind, min_year, max_year, days, clean): strict ten-byte dates."},
    {"padded", padded, METH_VARARGS,
     "padded(data, separator): whether a value may carry surrounding whitespace."},
    {"factorize", factorize, METH_VARARGS,
     "factorize(values, codes, first, table) -> distinct: dense codes of int64 values."},
    {"mix_column", mix_column, METH_VARARGS,
     "mix_column(hashes, column, salt, first): fold a column of 64-bit values into row hashes."},
    {"decimals", decimals, METH_VARARGS,
     "decimals(data, offsets, decimal, values, present) -> first row of another shape or -1."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_text", NULL, -1, methods};

PyMODINIT_FUNC PyInit__text(void)
{
    return PyModule_Create(&module);
}
