#ifndef KALANDRA_CROCKSDB_SHIM_H
#define KALANDRA_CROCKSDB_SHIM_H
#include <rocksdb/c.h>
#endif
