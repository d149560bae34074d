#ifndef PALISADE_CLIBNFTNL_SHIM_H
#define PALISADE_CLIBNFTNL_SHIM_H
/* <netinet/in.h> must precede any <linux/...> header, or 'in_addr' is defined twice. */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/set.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#endif
