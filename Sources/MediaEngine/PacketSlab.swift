import CPalisadeShims

/// The worker's packet memory, allocated once: `count` slots of `slotSize` bytes, each received
/// into at `headroom` so a transform can grow a packet into `tailroom` (SRTP tag, MKI) — and,
/// later, prepend into `headroom` — without copying. Plus the arrays the C batch calls fill.
///
/// Invariant: every pointer here stays valid from init until `deallocate()`, which only the
/// owning worker calls, after its loop has ended.
struct PacketSlab {
    static let slotSize = 2048
    static let headroom = 64
    static let tailroom = 128
    /// Largest datagram accepted; a longer one is truncated by the kernel and dropped as malformed.
    static let receiveCapacity = slotSize - headroom - tailroom

    /// A list of datagrams to send on one socket.
    struct SendList {
        let buffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
        let lengths: UnsafeMutablePointer<UInt32>
        let addresses: UnsafeMutablePointer<UInt32>
        let ports: UnsafeMutablePointer<UInt16>

        init(count: Int) {
            buffers = .allocate(capacity: count)
            buffers.initialize(repeating: nil, count: count)
            lengths = .allocate(capacity: count)
            lengths.initialize(repeating: 0, count: count)
            addresses = .allocate(capacity: count)
            addresses.initialize(repeating: 0, count: count)
            ports = .allocate(capacity: count)
            ports.initialize(repeating: 0, count: count)
        }

        func deallocate() {
            buffers.deallocate()
            lengths.deallocate()
            addresses.deallocate()
            ports.deallocate()
        }
    }

    let count: Int
    let memory: UnsafeMutableRawPointer
    /// Start of each slot's packet (slot base + headroom).
    let packets: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    let lengths: UnsafeMutablePointer<UInt32>
    let addresses: UnsafeMutablePointer<UInt32>
    let ports: UnsafeMutablePointer<UInt16>
    /// RTP-socket and RTCP-socket destinations of one received batch.
    let toRTP: SendList
    let toRTCP: SendList
    let receiveBatch: OpaquePointer
    let sendBatch: OpaquePointer

    init?(count: Int) {
        guard let receiveBatch = palisade_mmsg_batch_create(UInt32(count)) else { return nil }
        guard let sendBatch = palisade_mmsg_batch_create(UInt32(count)) else {
            palisade_mmsg_batch_destroy(receiveBatch)
            return nil
        }
        self.count = count
        self.receiveBatch = receiveBatch
        self.sendBatch = sendBatch
        memory = .allocate(byteCount: count * Self.slotSize, alignment: 64)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: count * Self.slotSize)
        packets = .allocate(capacity: count)
        for slot in 0..<count {
            (packets + slot).initialize(to: (memory + slot * Self.slotSize + Self.headroom)
                .assumingMemoryBound(to: UInt8.self))
        }
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        addresses = .allocate(capacity: count)
        addresses.initialize(repeating: 0, count: count)
        ports = .allocate(capacity: count)
        ports.initialize(repeating: 0, count: count)
        toRTP = SendList(count: count)
        toRTCP = SendList(count: count)
    }

    func deallocate() {
        palisade_mmsg_batch_destroy(receiveBatch)
        palisade_mmsg_batch_destroy(sendBatch)
        memory.deallocate()
        packets.deallocate()
        lengths.deallocate()
        addresses.deallocate()
        ports.deallocate()
        toRTP.deallocate()
        toRTCP.deallocate()
    }
}
