#ifndef KALANDRA_CSODIUM_SHIM_H
#define KALANDRA_CSODIUM_SHIM_H
#include <sodium.h>
#endif
