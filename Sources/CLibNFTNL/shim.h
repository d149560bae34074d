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

/* setns() is a GNU extension that Swift's Glibc module does not expose (_GNU_SOURCE is not
 * defined for it). Declared here, compatibly with <sched.h>, for NFTables to open its netlink
 * socket inside a given network namespace. */
int setns(int fd, int nstype);
static inline int palisade_setns_net(int fd) {
    return setns(fd, 0x40000000 /* CLONE_NEWNET */);
}
#endif
