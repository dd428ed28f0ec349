// Android library module for copilot-core (UniFFI). NOT BUILT on the machine that wrote it
// (no Android SDK/NDK there). Run ./prepare.sh first: it fills src/main/jniLibs/<abi>/ and
// src/main/kotlin/ (both generated, not committed). Include this directory as a module of an
// Android project, then `./gradlew :copilot-core:assembleRelease` gives the AAR.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "copilot.core"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].kotlin.srcDir("src/main/kotlin")
    sourceSets["main"].jniLibs.srcDir("src/main/jniLibs")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // The @aar flavour of JNA carries libjnidispatch.so for every Android ABI.
    implementation("net.java.dev.jna:jna:5.13.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.8.0")
    // The generated code's Android object cleaner uses @RequiresApi.
    implementation("androidx.annotation:annotation:1.8.0")
}
