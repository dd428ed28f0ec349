// Benchmark driver for the Kotlin binding (UniFFI, JVM): consumes the firehose through the
// `session.events()` Flow (what users use; batched pulls from an EventStream), or with
// --api stream|listener through the generated API directly. Modes: throughput, latency,
// sessions. Prints one `BENCH_RESULT {json}` line.
import copilot.core.*
import java.io.File
import java.lang.management.ManagementFactory
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking

fun arg(args: Array<String>, name: String, default: String? = null): String? {
    val i = args.indexOf(name)
    return if (i >= 0 && i + 1 < args.size) args[i + 1] else default
}

fun rssKib(): Long =
    File("/proc/self/status").readLines().firstOrNull { it.startsWith("VmRSS:") }
        ?.split(Regex("\\s+"))?.getOrNull(1)?.toLong() ?: 0

fun cpuSeconds(): Double = (ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean)
    .processCpuTime / 1e9

fun percentile(v: DoubleArray, n: Int, p: Double): Double {
    if (n == 0) return Double.NaN
    val s = v.copyOf(n).also { it.sort() }
    return s[minOf(n - 1, Math.round(p / 100.0 * (n - 1)).toInt())]
}

fun main(args: Array<String>) = runBlocking {
    val mode = arg(args, "--mode", "throughput")!!
    val cli = arg(args, "--cli") ?: error("--cli PATH required")
    val count = arg(args, "--count", "1000")!!.toInt()
    val options = ClientOptions(cliPath = cli, requestTimeoutMs = 600_000uL)
    val approveAll = SessionConfig(permissionPreset = PermissionPreset.APPROVE_ALL)
    when (mode) {
        "throughput", "latency" -> {
            val latency = mode == "latency"
            // --api flow (default: session.events(), what users use), stream (the generated
            // EventStream.nextBatch loop) or listener (SessionEventListener, one call per
            // event). --attach no: leave JNA's per-callback thread attach/detach on (only for
            // stream and listener; the Flow helper always keeps callback threads attached).
            val api = arg(args, "--api", "flow")!!
            val batch = arg(args, "--batch")?.toInt()
            if (arg(args, "--attach", "yes") == "yes") CopilotCallbackThreads.install()
            val client = CopilotClient.start(options)
            val session = client.createSession(approveAll)
            var deltas = 0L
            var batches = 0L // nextBatch calls (--api stream only)
            val lat = DoubleArray(2_000_000)
            var latN = 0
            // Returns true at the end of the turn.
            fun handle(event: SessionEvent): Boolean {
                when (val d = event.data) {
                    is EventData.AssistantMessageDelta -> {
                        deltas++
                        if (latency) {
                            val sent = d.deltaContent.substringBefore('|').toLongOrNull()
                            if (sent != null && latN < lat.size) {
                                val i = java.time.Instant.now()
                                val now = i.epochSecond * 1_000_000_000L + i.nano
                                lat[latN++] = (now - sent) / 1000.0
                            }
                        }
                    }
                    is EventData.SessionIdle -> return true
                    else -> {}
                }
                return false
            }
            val lagged: (ULong) -> Unit = { System.err.println("lagged $it") }
            var cleanup: () -> Unit = {}
            val consume: suspend () -> Unit = when (api) {
                "flow" -> {
                    val events = if (batch != null) session.events(batch, lagged) else session.events(onLagged = lagged)
                    suspend { events.first { handle(it) } }
                }
                "stream" -> {
                    val stream = session.eventStream()
                    cleanup = { stream.cancel() }
                    suspend {
                        var done = false
                        while (!done) {
                            val b = stream.nextBatch((batch ?: 1024).toUInt())
                            batches++
                            if (b.lagged > 0uL) lagged(b.lagged)
                            for (e in b.events) if (handle(e)) done = true
                            if (b.closed) break
                        }
                    }
                }
                "listener" -> {
                    val idle = CompletableDeferred<Unit>()
                    val handle = session.subscribe(object : SessionEventListener {
                        override suspend fun onEvent(event: SessionEvent) {
                            if (handle(event)) idle.complete(Unit)
                        }
                        override fun onLagged(skipped: ULong) = lagged(skipped)
                        override fun onClosed() {}
                    })
                    cleanup = { handle.cancel() }
                    suspend { idle.await() }
                }
                else -> error("unknown --api $api")
            }
            val cpu0 = cpuSeconds()
            val t0 = System.nanoTime()
            session.send("go")
            consume()
            val wall = (System.nanoTime() - t0) / 1e9
            val cpu = cpuSeconds() - cpu0
            val n = deltas
            var extra = if (latency) ",\"p50_us\":${percentile(lat, latN, 50.0)},\"p99_us\":${percentile(lat, latN, 99.0)}" else ""
            if (batches > 0) extra += ",\"batches\":$batches"
            println("BENCH_RESULT {\"api\":\"$api\",\"events\":$n,\"wall_s\":$wall,\"cpu_s\":$cpu,\"events_per_s\":${n / wall}$extra}")
            cleanup()
            client.stop()
        }
        "sessions" -> {
            val before = rssKib()
            val client = CopilotClient.start(options)
            val keep = ArrayList<Any>()
            repeat(count) {
                val s = client.createSession(approveAll)
                keep += s
                keep += s.subscribe(object : SessionEventListener {
                    override suspend fun onEvent(event: SessionEvent) {}
                    override fun onLagged(skipped: ULong) {}
                    override fun onClosed() {}
                })
            }
            delay(200)
            System.gc()
            delay(200)
            println("BENCH_RESULT {\"sessions\":$count,\"rss_kib\":${rssKib()},\"rss_before_kib\":$before}")
            client.stop()
        }
        else -> error("unknown mode $mode")
    }
    System.exit(0)
}
