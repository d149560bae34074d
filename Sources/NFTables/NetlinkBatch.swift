import CLibNFTNL
import Glibc
import NFTRules

/// The one place where Palisade touches libnftnl, libmnl and raw netlink memory.
///
/// A batch is sent as one nfnetlink transaction: `BATCH_BEGIN`, one message per operation, each
/// with `NLM_F_ACK`, then `BATCH_END`. The kernel answers every acknowledged message — with 0 or a
/// negative errno — even after a failure, so we read exactly one answer per operation; stopping at
/// the first error would leave later answers in the socket to be mistaken for the next batch's.
final class NetlinkSocket {
    private let socket: OpaquePointer
    private let portID: UInt32
    private var nextSequence: UInt32 = 1
    private var sendBufferSize = 0
    /// Answers are 36 bytes each (`NETLINK_CAP_ACK`); 64 KiB holds far more than one read returns.
    private let answerBufferSize = 1 << 16
    private let answerBuffer: UnsafeMutableRawPointer

    /// Opens the socket in the caller's network namespace, or in the one at `namespacePath`.
    init(namespacePath: String?) throws(NFTError) {
        let opened: OpaquePointer?
        if let namespacePath {
            let fd = try netfilterSocket(inNamespaceAt: namespacePath)
            opened = mnl_socket_fdopen(fd)
            if opened == nil { close(fd) }
        } else {
            opened = mnl_socket_open(NETLINK_NETFILTER)
        }
        guard let opened else { throw NFTError(.socket, operation: "mnl_socket_open", errno: errno) }
        guard mnl_socket_bind(opened, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let error = errno
            mnl_socket_close(opened)
            throw NFTError(.socket, operation: "mnl_socket_bind", errno: error)
        }
        socket = opened
        answerBuffer = UnsafeMutableRawPointer.allocate(byteCount: answerBufferSize, alignment: 16)
        portID = mnl_socket_get_portid(socket)
        // Error answers quote only the header of the failed message, not its payload, so an
        // answer stays small however many elements the message carried.
        var one: Int32 = 1
        // Invariant: `one` outlives the call, which reads exactly MemoryLayout<Int32>.size bytes.
        _ = withUnsafeMutablePointer(to: &one) {
            mnl_socket_setsockopt(socket, NETLINK_CAP_ACK, $0, socklen_t(MemoryLayout<Int32>.size))
        }
        // A lost answer must not hang the control thread: give up after 5 s.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        // Invariant: `timeout` outlives the call, which reads exactly MemoryLayout<timeval>.size bytes.
        _ = withUnsafePointer(to: &timeout) {
            setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_RCVTIMEO, $0, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    deinit {
        answerBuffer.deallocate()
        mnl_socket_close(socket)
    }

    /// Sends `batch` as one transaction and waits for every answer. Throws the first rejected
    /// operation (in batch order) after all answers are in.
    func transact(_ batch: NFTBatch) throws(NFTError) {
        guard !batch.isEmpty else { return }
        let begin = nextSequence
        let first = begin &+ 1
        nextSequence = begin &+ UInt32(batch.operations.count) &+ 2

        let capacity = Self.capacity(for: batch)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        // Invariant: every message below is written at `buffer + length`, and `capacity` is an
        // upper bound on the total size (checked after each message before the next is written).
        var length = 0
        func advance(_ header: UnsafeMutablePointer<nlmsghdr>?) {
            length += Self.aligned(Int(header!.pointee.nlmsg_len))
            precondition(length <= capacity, "netlink batch overflowed its estimate")
        }
        let base = buffer.assumingMemoryBound(to: CChar.self)
        advance(nftnl_batch_begin(base + length, begin))
        var setIDs: [NFTSet: UInt32] = [:]
        for (index, operation) in batch.operations.enumerated() {
            let header = try Self.encode(operation, at: base + length, sequence: first &+ UInt32(index),
                                         setIDs: &setIDs)
            advance(header)
        }
        advance(nftnl_batch_end(base + length, begin &+ UInt32(batch.operations.count) &+ 1))

        try ensureSendBuffer(length)
        var sent = mnl_socket_sendto(socket, buffer, length)
        while sent < 0, errno == EINTR { sent = mnl_socket_sendto(socket, buffer, length) }
        guard sent == length else {
            throw NFTError(.send, operation: "send batch of \(batch.operations.count) operation(s)", errno: errno)
        }
        try receiveAnswers(for: batch, begin: begin, first: first)
    }

    /// Reads until every operation is answered, or the batch as a whole is refused.
    private func receiveAnswers(for batch: NFTBatch, begin: UInt32, first: UInt32) throws(NFTError) {
        var answered = [Bool](repeating: false, count: batch.operations.count)
        var remaining = batch.operations.count
        var failures: [(index: Int, errno: Int32)] = []
        let buffer = answerBuffer
        while remaining > 0 {
            let received = mnl_socket_recvfrom(socket, buffer, answerBufferSize)
            if received < 0, errno == EINTR { continue }
            guard received > 0 else {
                throw NFTError(.receive, operation: "answers to \(remaining) operation(s)",
                               errno: received < 0 ? errno : EPROTO)
            }
            // Invariant: `offset` only advances by a message's own aligned length, and a header is
            // read only while a whole header lies inside the `received` bytes.
            var offset = 0
            while offset + MemoryLayout<nlmsghdr>.size <= received {
                let header = buffer.load(fromByteOffset: offset, as: nlmsghdr.self)
                let messageLength = Int(header.nlmsg_len)
                guard messageLength >= MemoryLayout<nlmsghdr>.size, offset + messageLength <= received else { break }
                defer { offset += Self.aligned(messageLength) }
                guard header.nlmsg_type == UInt16(NLMSG_ERROR), header.nlmsg_pid == portID,
                      messageLength >= MemoryLayout<nlmsghdr>.size + MemoryLayout<Int32>.size
                else { continue }
                let code = buffer.load(fromByteOffset: offset + MemoryLayout<nlmsghdr>.size, as: Int32.self)
                if header.nlmsg_seq == begin, code != 0 {
                    throw NFTError(.batchRejected, operation: "batch of \(batch.operations.count) operation(s)",
                                   errno: -code)
                }
                let index = Int(header.nlmsg_seq &- first)
                guard header.nlmsg_seq &- first < UInt32(batch.operations.count), !answered[index] else { continue }
                answered[index] = true
                remaining -= 1
                if code != 0 { failures.append((index, -code)) }
            }
        }
        if let failure = failures.min(by: { $0.index < $1.index }) {
            throw NFTError(.rejected, operation: batch.operations[failure.index].description, errno: failure.errno)
        }
    }

    private func ensureSendBuffer(_ length: Int) throws(NFTError) {
        // netlink refuses a message longer than the send buffer; raise it (root may exceed wmem_max).
        guard length + 4096 > 212_992, length + 4096 > sendBufferSize else { return }
        var size = Int32(clamping: length + 4096)
        // Invariant: `size` outlives the call, which reads exactly MemoryLayout<Int32>.size bytes.
        let result = withUnsafePointer(to: &size) {
            setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_SNDBUFFORCE, $0, socklen_t(MemoryLayout<Int32>.size))
        }
        guard result == 0 else { throw NFTError(.socket, operation: "setsockopt(SO_SNDBUFFORCE)", errno: errno) }
        sendBufferSize = Int(size)
    }

    private static func aligned(_ length: Int) -> Int { (length + 3) & ~3 }

    /// Generous upper bound of the encoded size: headers and names fit in 2 KiB per operation, and
    /// an element needs its key plus at most 48 bytes of attributes (nest, key, timeout).
    private static func capacity(for batch: NFTBatch) -> Int {
        batch.operations.reduce(4096) { total, operation in
            switch operation {
            case .addElements(let set, let elements), .deleteElements(let set, let elements):
                total + 2048 + elements.count * (aligned(set.keyLength) + 48)
            case .addTable, .deleteTable, .addSet, .addChain, .addRule:
                total + 2048
            }
        }
    }

    // MARK: Encoding through libnftnl

    private static let family = UInt16(NFPROTO_INET)
    private static let tableName = NFTRules.tableName

    private static func encode(_ operation: NFTOperation, at buffer: UnsafeMutablePointer<CChar>, sequence: UInt32,
                               setIDs: inout [NFTSet: UInt32]) throws(NFTError) -> UnsafeMutablePointer<nlmsghdr>? {
        let ack = UInt16(NLM_F_ACK)
        let create = UInt16(NLM_F_CREATE)
        switch operation {
        case .addTable, .deleteTable:
            guard let table = nftnl_table_alloc() else { throw allocationFailure(operation) }
            defer { nftnl_table_free(table) }
            nftnl_table_set_u32(table, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(family))
            nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), tableName)
            let isAdd = operation == .addTable
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(isAdd ? NFT_MSG_NEWTABLE.rawValue : NFT_MSG_DELTABLE.rawValue), family,
                isAdd ? create | ack : ack, sequence)
            nftnl_table_nlmsg_build_payload(header, table)
            return header

        case .addSet(let set):
            guard let nftSet = nftnl_set_alloc() else { throw allocationFailure(operation) }
            defer { nftnl_set_free(nftSet) }
            let id = UInt32(setIDs.count + 1)
            setIDs[set] = id
            nftnl_set_set_str(nftSet, UInt16(NFTNL_SET_TABLE.rawValue), tableName)
            nftnl_set_set_str(nftSet, UInt16(NFTNL_SET_NAME.rawValue), set.name)
            nftnl_set_set_u32(nftSet, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family))
            nftnl_set_set_u32(nftSet, UInt16(NFTNL_SET_KEY_LEN.rawValue), UInt32(set.keyLength))
            nftnl_set_set_u32(nftSet, UInt16(NFTNL_SET_KEY_TYPE.rawValue), set.keyType)
            nftnl_set_set_u32(nftSet, UInt16(NFTNL_SET_FLAGS.rawValue), set.hasTimeouts ? UInt32(NFT_SET_TIMEOUT.rawValue) : 0)
            nftnl_set_set_u32(nftSet, UInt16(NFTNL_SET_ID.rawValue), id)
            let header = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_NEWSET.rawValue), family, create | ack, sequence)
            nftnl_set_nlmsg_build_payload(header, nftSet)
            return header

        case .addChain(let chain):
            guard let nftChain = nftnl_chain_alloc() else { throw allocationFailure(operation) }
            defer { nftnl_chain_free(nftChain) }
            nftnl_chain_set_str(nftChain, UInt16(NFTNL_CHAIN_TABLE.rawValue), tableName)
            nftnl_chain_set_str(nftChain, UInt16(NFTNL_CHAIN_NAME.rawValue), chain.name)
            nftnl_chain_set_u32(nftChain, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(family))
            nftnl_chain_set_str(nftChain, UInt16(NFTNL_CHAIN_TYPE.rawValue), "filter")
            nftnl_chain_set_u32(nftChain, UInt16(NFTNL_CHAIN_HOOKNUM.rawValue), chain.hook)
            nftnl_chain_set_s32(nftChain, UInt16(NFTNL_CHAIN_PRIO.rawValue), chain.priority)
            nftnl_chain_set_u32(nftChain, UInt16(NFTNL_CHAIN_POLICY.rawValue), UInt32(NF_ACCEPT))
            let header = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_NEWCHAIN.rawValue), family, create | ack, sequence)
            nftnl_chain_nlmsg_build_payload(header, nftChain)
            return header

        case .addRule(let rule):
            guard let nftRule = nftnl_rule_alloc() else { throw allocationFailure(operation) }
            defer { nftnl_rule_free(nftRule) }
            nftnl_rule_set_str(nftRule, UInt16(NFTNL_RULE_TABLE.rawValue), tableName)
            nftnl_rule_set_str(nftRule, UInt16(NFTNL_RULE_CHAIN.rawValue), NFTChain.input.name)
            nftnl_rule_set_u32(nftRule, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(family))
            for expression in rule.expressions {
                guard let expr = makeExpression(expression, setIDs: setIDs) else { throw allocationFailure(operation) }
                nftnl_rule_add_expr(nftRule, expr)  // the rule owns it from here
            }
            let header = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_NEWRULE.rawValue), family,
                                               create | UInt16(NLM_F_APPEND) | ack, sequence)
            nftnl_rule_nlmsg_build_payload(header, nftRule)
            return header

        case .addElements(let set, let elements), .deleteElements(let set, let elements):
            guard let nftSet = nftnl_set_alloc() else { throw allocationFailure(operation) }
            defer { nftnl_set_free(nftSet) }  // frees the elements added to it
            nftnl_set_set_str(nftSet, UInt16(NFTNL_SET_TABLE.rawValue), tableName)
            nftnl_set_set_str(nftSet, UInt16(NFTNL_SET_NAME.rawValue), set.name)
            nftnl_set_set_u32(nftSet, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family))
            if let id = setIDs[set] { nftnl_set_set_u32(nftSet, UInt16(NFTNL_SET_ID.rawValue), id) }
            for element in elements {
                guard let nftElement = nftnl_set_elem_alloc() else { throw allocationFailure(operation) }
                // Invariant: libnftnl copies the key during the call; the array outlives it.
                element.key.withUnsafeBytes {
                    _ = nftnl_set_elem_set(nftElement, UInt16(NFTNL_SET_ELEM_KEY), $0.baseAddress, UInt32($0.count))
                }
                if let milliseconds = element.timeoutMilliseconds {
                    nftnl_set_elem_set_u64(nftElement, UInt16(NFTNL_SET_ELEM_TIMEOUT), milliseconds)
                }
                nftnl_set_elem_add(nftSet, nftElement)
            }
            let isAdd: Bool
            if case .addElements = operation { isAdd = true } else { isAdd = false }
            // No NLM_F_EXCL: adding an element that exists is a no-op, which the ban plan relies on.
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(isAdd ? NFT_MSG_NEWSETELEM.rawValue : NFT_MSG_DELSETELEM.rawValue), family,
                isAdd ? create | ack : ack, sequence)
            nftnl_set_elems_nlmsg_build_payload(header, nftSet)
            return header
        }
    }

    private static func makeExpression(_ expression: NFTExpression, setIDs: [NFTSet: UInt32]) -> OpaquePointer? {
        switch expression {
        case .meta(let key, let destination):
            guard let expr = nftnl_expr_alloc("meta") else { return nil }
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_META_KEY), key.rawValue)
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_META_DREG), destination.number)
            return expr
        case .compare(let op, let register, let data):
            guard let expr = nftnl_expr_alloc("cmp") else { return nil }
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_CMP_SREG), register.number)
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_CMP_OP), op.rawValue)
            // Invariant: libnftnl copies the data during the call; the array outlives it.
            data.withUnsafeBytes { _ = nftnl_expr_set(expr, UInt16(NFTNL_EXPR_CMP_DATA), $0.baseAddress, UInt32($0.count)) }
            return expr
        case .payload(let base, let offset, let length, let destination):
            guard let expr = nftnl_expr_alloc("payload") else { return nil }
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_PAYLOAD_DREG), destination.number)
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_PAYLOAD_BASE), base.rawValue)
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_PAYLOAD_OFFSET), offset)
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_PAYLOAD_LEN), length)
            return expr
        case .lookup(let set, let source):
            guard let expr = nftnl_expr_alloc("lookup") else { return nil }
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_LOOKUP_SREG), source.number)
            nftnl_expr_set_str(expr, UInt16(NFTNL_EXPR_LOOKUP_SET), set.name)
            // A set created in this same batch is found by its id (the name is not committed yet).
            if let id = setIDs[set] { nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_LOOKUP_SET_ID), id) }
            return expr
        case .verdict(let verdict):
            guard let expr = nftnl_expr_alloc("immediate") else { return nil }
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_IMM_DREG), UInt32(NFT_REG_VERDICT.rawValue))
            let code: Int32 = switch verdict {
            case .accept: NF_ACCEPT
            case .drop: NF_DROP
            }
            nftnl_expr_set_u32(expr, UInt16(NFTNL_EXPR_IMM_VERDICT), UInt32(bitPattern: code))
            return expr
        }
    }

    private static func allocationFailure(_ operation: NFTOperation) -> NFTError {
        NFTError(.encode, operation: operation.description, errno: ENOMEM)
    }
}
