/* fastfib: a tiny C extension module. Building it needs gcc and the Python
 * headers (Python.h); running it needs only the compiled .so file. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *fib(PyObject *self, PyObject *args)
{
    long n;
    if (!PyArg_ParseTuple(args, "l", &n))
        return NULL;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "n must be >= 0");
        return NULL;
    }
    unsigned long long a = 0, b = 1;
    for (long i = 0; i < n; i++) {
        unsigned long long t = a + b;
        a = b;
        b = t;
    }
    return PyLong_FromUnsignedLongLong(a);
}

static PyMethodDef methods[] = {
    {"fib", fib, METH_VARARGS, "fib(n): the n-th Fibonacci number."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "fastfib", "Fibonacci numbers, computed in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_fastfib(void)
{
    return PyModule_Create(&module);
}
