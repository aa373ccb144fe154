"""The UI string catalogue: Indonesian first, English available.

Every visible string of the dashboard comes from ``CATALOGUE`` through :func:`t`.
Layer titles, legends and descriptions live with their layers (``layers/``).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qs

from layers.text import LANGS, Text

DEFAULT_LANG = "id"

CATALOGUE: dict[str, Text] = {
    "app.title": Text("Peta PWS-ILP", "PWS-ILP map"),
    "app.subtitle": Text(
        "Pemantauan Wilayah Setempat — Integrasi Layanan Primer",
        "Local area monitoring — Primary care integration",
    ),
    "lang.switch": Text("English", "Bahasa Indonesia"),
    "filter.week": Text("Minggu epidemiologi", "Epidemiological week"),
    "filter.period.weekly": Text("Minggu epidemiologi", "Epidemiological week"),
    "filter.period.yearly": Text("Tahun", "Year"),
    "filter.kecamatan": Text("Kecamatan", "Sub-district (kecamatan)"),
    "filter.kecamatan.all": Text("Semua kecamatan", "All sub-districts"),
    "filter.kecamatan.more": Text("{n} kecamatan lainnya: ketik namanya untuk mencari",
                                  "{n} more sub-districts: type a name to search"),
    "filter.layer": Text("Lapisan peta", "Map layer"),
    "map.kecamatan": Text("Batas kecamatan", "Sub-district borders"),
    "map.desa": Text("Desa/kelurahan", "Villages"),
    "map.legend": Text("Legenda", "Legend"),
    "dropdown.search": Text("Cari", "Search"),
    "dropdown.clear": Text("Hapus", "Clear"),
    "dropdown.none": Text("Tidak ada yang cocok", "No match"),
    "panel.hint": Text(
        "Klik sebuah desa di peta untuk melihat rinciannya.",
        "Click a village on the map to see its details.",
    ),
    "panel.code": Text("Kode", "Code"),
    "panel.kecamatan": Text("Kecamatan", "Sub-district"),
    "panel.population": Text("Penduduk", "Population"),
    "panel.facilities": Text("Fasilitas", "Facilities"),
    "panel.close": Text("Tutup", "Close"),
    "panel.not_found": Text(
        "Desa tidak ditemukan di wilayah Anda.", "Village not found in your region."
    ),
    "scan.title": Text("Klaster (pemindaian ruang-waktu)", "Clusters (space-time scan)"),
    "scan.intro": Text(
        "Statistik pemindaian ruang-waktu prospektif Kulldorff (Poisson) untuk minggu dan "
        "kecamatan yang dipilih: klaster yang berakhir pada minggu itu.",
        "Kulldorff's prospective space-time scan statistic (Poisson) for the selected week "
        "and sub-district: clusters ending in that week.",
    ),
    "scan.max_weeks": Text("Lama klaster maks. (minggu)", "Longest cluster (weeks)"),
    "scan.reps": Text("Replikasi Monte Carlo", "Monte Carlo replications"),
    "scan.run": Text("Jalankan pemindaian", "Run scan"),
    "scan.cancel": Text("Batal", "Cancel"),
    "scan.clear": Text("Hapus hasil", "Clear result"),
    "scan.cancelled": Text("Pemindaian dibatalkan.", "Scan cancelled."),
    "scan.reading": Text("Membaca data kasus 52 minggu sampai {week}…",
                         "Reading 52 weeks of case data up to {week}…"),
    "scan.starting": Text("Menyiapkan pemindaian {n} desa (memuat mesin statistik)…",
                          "Preparing the scan of {n} villages (loading the statistics engine)…"),
    "scan.stopped.changed": Text(
        "Pemindaian dihentikan karena minggu atau kecamatan diubah. Jalankan lagi untuk "
        "pilihan yang baru.",
        "The scan was stopped because the week or sub-district changed. Run it again for "
        "the new choice.",
    ),
    "scan.cleared.changed": Text(
        "Hasil klaster dihapus karena minggu atau kecamatan diubah.",
        "The cluster result was cleared because the week or sub-district changed.",
    ),
    "scan.progress": Text("Replikasi {done} dari {total}", "Replication {done} of {total}"),
    "scan.done": Text("Selesai", "Done"),
    "scan.summary": Text(
        "Minggu {week}, {reps} replikasi: {n} klaster, {sig} signifikan (p < 0,05).",
        "Week {week}, {reps} replications: {n} clusters, {sig} significant (p < 0.05).",
    ),
    "scan.none": Text("Tidak ada klaster (tidak ada jendela dengan kasus di atas harapan).",
                      "No cluster (no window has more cases than expected)."),
    "scan.empty": Text("Tidak ada desa di wilayah ini.", "No village in this region."),
    "scan.error": Text(
        "Pemindaian gagal; lihat log server.", "The scan failed; see the server log."
    ),
    "scan.hint": Text(
        "Klik sebuah klaster untuk memperbesar peta ke desanya. Desa klaster signifikan "
        "diberi garis tepi tebal berwarna.",
        "Click a cluster to zoom the map to its villages. Villages of significant clusters "
        "are outlined with a thick coloured border.",
    ),
    "scan.legend": Text("Garis tepi tebal berwarna: desa klaster signifikan",
                        "Thick coloured border: villages of a significant cluster"),
    "plan.title": Text("Rencana Pustu (bagaimana jika)", "Pustu plan (what if)"),
    "plan.intro": Text(
        "Dengan mode rencana, klik desa tanpa Pustu aktif untuk menambah rencana Pustu di "
        "sana; klik lagi untuk menghapusnya. Jarak dan aturan Puskesmas mengikuti pilihan "
        "lapisan di atas.",
        "In planning mode, click a village without an active Pustu to plan a Pustu there; "
        "click it again to remove it. The distance and the Puskesmas rule follow the layer's "
        "choices above.",
    ),
    "plan.mode": Text("Mode rencana: klik desa untuk menambah/menghapus",
                      "Planning mode: click villages to add/remove"),
    "plan.n": Text("Pustu baru", "New Pustu"),
    "plan.suggest": Text("Usulkan lokasi", "Suggest sites"),
    "plan.clear": Text("Kosongkan rencana", "Clear the plan"),
    "plan.coverage": Text("Cakupan penduduk", "Population covered"),
    "plan.served": Text("Penduduk terlayani", "People served"),
    "plan.people": Text("{n} dari {total}", "{n} of {total}"),
    "plan.newly": Text("Baru terlayani oleh rencana", "Newly served by the plan"),
    "plan.count": Text("Rencana Pustu baru", "Planned new Pustu"),
    "plan.added": Text("Rencana Pustu ditambah di {kode}.", "Pustu planned in {kode}."),
    "plan.removed": Text("Rencana Pustu di {kode} dihapus.", "Planned Pustu in {kode} removed."),
    "plan.next": Text("Lokasi terbaik berikutnya", "Best next sites"),
    "plan.greedy": Text(
        "Usulan greedy: {newly} penduduk baru terlayani; rencana terbaik dengan jumlah yang "
        "sama paling banyak {bound} (selisih paling besar {gap} %).",
        "Greedy suggestion: {newly} people newly served; the best plan of the same size "
        "serves at most {bound} (gap at most {gap} %).",
    ),
    "plan.name": Text("Nama rencana", "Plan name"),
    "plan.save": Text("Simpan rencana", "Save the plan"),
    "plan.saved": Text("Rencana tersimpan", "Saved plans"),
    "plan.load": Text("Muat", "Load"),
    "plan.save.bad": Text(
        "Beri nama, dan rencanakan Pustu di desa-desa satu kabupaten/kota dulu.",
        "Give a name, and plan Pustu in villages of one kabupaten/kota first.",
    ),
    "plan.save.done": Text("Rencana \u201c{name}\u201d disimpan.",
                           "Plan \u201c{name}\u201d saved."),
    "plan.compare": Text("Perbandingan rencana (data hari ini)",
                         "Plans compared (today's data)"),
    "plan.col.plan": Text("Rencana", "Plan"),
    "plan.download.ranking": Text("Unduh peringkat desa (XLSX)", "Download village ranking (XLSX)"),
    "plan.download.plan": Text("Unduh rencana (XLSX)", "Download the plan (XLSX)"),
    "plan.col.village": Text("Desa", "Village"),
    "plan.col.gain": Text("Penduduk baru terlayani", "People newly served"),
    "plan.none_left": Text("Tidak ada desa lagi yang menambah penduduk terlayani.",
                           "No village left that adds people served."),
    "plan.straight": Text("Jarak garis lurus, bukan waktu tempuh.",
                          "Straight-line distance, not travel time."),
    "plan.legend.planned": Text("Desa dengan rencana Pustu baru", "Village with a planned Pustu"),
    "plan.legend.served": Text("Desa baru terlayani oleh rencana",
                               "Village newly served by the plan"),
    # the map's kader training tool (issue 10)
    "kader.title": Text("Prioritas pelatihan kader", "Kader training priority"),
    "kader.intro": Text(
        "Per Puskesmas: keterampilan yang belum dimiliki kader aktif mana pun di sebuah "
        "posyandu, diurutkan menurut sasaran yang terlayani bila setiap posyandu itu punya "
        "satu kader terlatih. Dihitung per posyandu; peta menghitung per desa (desa merah "
        "bila tidak satu pun posyandunya punya keterampilan itu).",
        "Per Puskesmas: the skills no active kader of a posyandu holds, ranked by the people "
        "served once each of those posyandu has one trained kader. Counted per posyandu; the "
        "map counts per village (red when none of its posyandu has the skill).",
    ),
    "kader.weights": Text(
        "Sasaran: penduduk kelompok siklus hidup keterampilan itu (balita, ibu hamil, remaja, "
        "usia produktif dan lansia) bila datanya ada, selain itu seluruh penduduk desa; dibagi "
        "rata antarposyandu desa. \u2013 = tanpa data penduduk.",
        "People: the village's target group of the skill's life-cycle stage (under-fives, "
        "pregnant women, adolescents, working age and elderly) when known, else the whole "
        "village population; shared equally among the village's posyandu. \u2013 = no "
        "population figure.",
    ),
    "kader.area": Text("Wilayah: {name}", "Area: {name}"),
    "kader.top": Text("{n} teratas per Puskesmas; unduhan berisi seluruh daftar.",
                      "Top {n} per Puskesmas; the download has the whole list."),
    "kader.puskesmas": Text("{name}: {n} keterampilan perlu dilatih",
                            "{name}: {n} skills to train"),
    "kader.col.rank": Text("Peringkat", "Rank"),
    "kader.col.skill": Text("Keterampilan", "Skill"),
    "kader.col.posyandu": Text("Posyandu kurang", "Posyandu lacking it"),
    "kader.col.people": Text("Sasaran", "People reached"),
    "kader.more": Text("+ {n} posyandu lainnya", "+ {n} more posyandu"),
    "kader.no_puskesmas": Text("(tanpa Puskesmas)", "(no Puskesmas)"),
    "kader.no_name": Text("(tanpa nama posyandu)", "(no posyandu named)"),
    "kader.complete": Text(
        "Setiap posyandu di wilayah ini memiliki ke-25 keterampilan: tidak ada yang perlu "
        "dilatih.",
        "Every posyandu in this area holds all 25 skills: nothing to train.",
    ),
    "kader.nodata": Text(
        "Belum ada data kader di wilayah ini. Impor daftar kader di halaman Impor.",
        "No kader data in this area yet. Import a kader roster on the Import page.",
    ),
    "kader.download": Text("Unduh prioritas pelatihan (XLSX)",
                           "Download the training priority (XLSX)"),
    "scan.col.villages": Text("Desa", "Villages"),
    "scan.more": Text("+ {n} lainnya", "+ {n} more"),
    "scan.col.observed": Text("Teramati", "Observed"),
    "scan.col.expected": Text("Harapan", "Expected"),
    "scan.col.rr": Text("RR", "Rel. risk"),
    "scan.col.llr": Text("LLR", "Log LR"),
    "scan.col.p": Text("Nilai p", "p-value"),
    "scan.col.weeks": Text("Minggu", "Weeks"),
    "scan.download.clusters": Text("Unduh daftar klaster (XLSX)", "Download cluster list (XLSX)"),
    "scan.download.alerts": Text("Unduh daftar peringatan (XLSX)", "Download alert list (XLSX)"),
    "scan.export.no_result": Text("Jalankan pemindaian dulu.", "Run a scan first."),
    "kind.desa": Text("Desa", "Village (desa)"),
    "kind.kelurahan": Text("Kelurahan", "Urban village (kelurahan)"),
    "week.label": Text("Minggu {week} ({start} – {end})", "Week {week} ({start} – {end})"),
    "nav.peta": Text("Peta", "Map"),
    "nav.impor": Text("Impor data", "Import data"),
    "impor.title": Text("Impor data", "Import data"),
    "impor.intro": Text(
        "Unggah file, lihat baris pertamanya, periksa, lalu impor. File yang bermasalah "
        "tidak ditulis sama sekali.",
        "Upload a file, look at its first rows, check it, then import it. A file with "
        "problems is not written at all.",
    ),
    "impor.kind": Text("Jenis data", "Kind of data"),
    "impor.upload.drop": Text("Seret file ke sini atau", "Drag a file here or"),
    "impor.upload.pick": Text("pilih file", "choose a file"),
    "impor.upload.bad": Text(
        "File tidak bisa diterima (rusak atau lebih dari {mb} MB).",
        "The file could not be accepted (damaged or larger than {mb} MB).",
    ),
    "impor.upload.missing": Text(
        "File unggahan tidak ditemukan lagi; unggah ulang.",
        "The uploaded file is gone; upload it again.",
    ),
    "impor.preview.title": Text("Pratinjau", "Preview"),
    "impor.preview.count": Text("{shown} baris pertama dari {total}.",
                                "First {shown} rows of {total}."),
    "impor.preview.none": Text(
        "Tidak ada pratinjau untuk jenis file ini; klik Periksa.",
        "No preview for this kind of file; press Check.",
    ),
    "impor.check": Text("Periksa", "Check"),
    "impor.run": Text("Impor", "Import"),
    "impor.cancel": Text("Hentikan", "Cancel"),
    "impor.cancelled": Text(
        "Impor dihentikan. Impor yang belum selesai tidak menulis apa pun; lihat daftar di bawah.",
        "Import cancelled. An import that had not finished wrote nothing; see the list below.",
    ),
    "impor.error": Text(
        "Terjadi kesalahan pada server; tidak ada data yang ditulis.",
        "Something went wrong on the server; no data was written.",
    ),
    "impor.report.title": Text("Hasil pemeriksaan", "Validation report"),
    "impor.report.ok": Text(
        "Tidak ada masalah ({problems}). File siap diimpor.",
        "No problems ({problems}). The file is ready to import.",
    ),
    "impor.report.bad": Text(
        "{problems} masalah ditemukan. Perbaiki file lalu unggah ulang; tidak ada yang ditulis.",
        "{problems} problems found. Fix the file and upload it again; nothing was written.",
    ),
    "impor.report.counts": Text(
        "Baris: {total}, valid: {ok}, ditolak: {rejected}.",
        "Rows: {total}, valid: {ok}, rejected: {rejected}.",
    ),
    "impor.report.mapped": Text("Kolom yang dikenali", "Columns recognised"),
    "impor.report.more": Text("… dan {n} masalah lain.", "… and {n} more problems."),
    "impor.col.row": Text("Baris", "Row"),
    "impor.col.column": Text("Kolom", "Column"),
    "impor.col.value": Text("Nilai", "Value"),
    "impor.col.message": Text("Pesan", "Message"),
    "impor.col.field": Text("Kolom data", "Field"),
    "impor.col.file": Text("File", "File name"),
    "impor.col.when": Text("Waktu", "When"),
    "impor.col.kind": Text("Jenis", "Kind"),
    "impor.col.status": Text("Status", "Outcome"),
    "impor.col.rows_ok": Text("Baris valid", "Valid rows"),
    "impor.col.rows_rejected": Text("Baris ditolak", "Rejected rows"),
    "impor.col.user": Text("Pengguna", "User"),
    "impor.step.baca": Text("Membaca dan memeriksa…", "Reading and checking…"),
    "impor.step.tulis": Text("Menulis ke basis data…", "Writing to the database…"),
    "impor.step.selesai": Text("Selesai", "Done"),
    "impor.result.done": Text("Impor #{id} ({file}) selesai.",
                              "Import #{id} ({file}) finished."),
    "impor.result.written": Text("Ditulis: {written}.", "Written: {written}."),
    "impor.result.to_map": Text("Kembali ke peta", "Back to the map"),
    "impor.undo": Text("Batalkan impor terakhir", "Undo the last import"),
    "impor.undo.hint": Text(
        "Mengembalikan data seperti sebelum impor terakhir yang berhasil.",
        "Brings back the data as it was before the last successful import.",
    ),
    "impor.recent": Text("Impor terakhir", "Recent imports"),
    "impor.status.ok": Text("berhasil", "imported"),
    "impor.status.ditolak": Text("ditolak", "rejected"),
    "impor.status.dibatalkan": Text("dibatalkan", "undone"),
    "impor.status.diperiksa": Text("diperiksa", "checked"),
    "impor.templates": Text("Templat XLSX", "XLSX templates"),
    "impor.templates.hint": Text(
        "Templat berisi judul kolom, contoh dan validasi data.",
        "Templates hold the column headers, examples and data validation.",
    ),
    "impor.review.title": Text("Konfirmasi nama desa", "Confirm village names"),
    "impor.review.hint": Text(
        "{n} dari {total} nama desa di file ini perlu dikonfirmasi. Centang \"setuju\" bila "
        "usulan (atau kandidat yang Anda pilih) benar, lalu setujui dan periksa ulang. Nama "
        "yang tidak dicentang tetap menjadi masalah dan file tidak diimpor.",
        "{n} of the {total} village names in this file need confirming. Tick \"approve\" "
        "when the proposal (or the candidate you pick) is right, then approve and check "
        "again. Names left unticked stay problems and the file is not imported.",
    ),
    "impor.review.apply": Text("Setujui & periksa ulang", "Approve & check again"),
    "impor.review.col.desa": Text("Desa di file", "Village in the file"),
    "impor.review.col.kec": Text("Kecamatan di file", "Sub-district in the file"),
    "impor.review.col.proposal": Text("Desa usulan", "Proposed village"),
    "impor.review.col.score": Text("Skor", "Score"),
    "impor.review.col.method": Text("Metode", "Method"),
    "impor.review.col.candidates": Text("Kandidat (pilih satu)", "Candidates (pick one)"),
    "impor.review.col.ok": Text("Setuju", "Approve"),
    "impor.review.ok": Text("setuju", "approve"),
    "impor.review.method.exact": Text("sama persis", "exact"),
    "impor.review.method.normalised": Text("ejaan disamakan", "normalised spelling"),
    "impor.review.method.fuzzy": Text("mirip", "similar (fuzzy)"),
    "impor.review.method.none": Text("tidak ditemukan", "not found"),
    "impor.review.ambiguous": Text("ambigu", "ambiguous"),
    "impor.review.no_candidates": Text("tidak ada kandidat", "no candidates"),
    "impor.review.saved": Text(
        "Konfirmasi disimpan: {n} nama disetujui. File diperiksa ulang.",
        "Confirmations saved: {n} names approved. The file was checked again.",
    ),
    "impor.review.stale": Text(
        "Daftar usulan sudah berubah sejak ditampilkan; tidak ada yang disimpan. Periksa "
        "daftar baru di bawah.",
        "The list of proposals changed since it was shown; nothing was saved. Look at the "
        "new list below.",
    ),
    # the import page: kind hint, trusted loads, undo confirmation (issue 8)
    "impor.upload.formats": Text("Format: {formats}; paling besar {mb} MB.",
                                 "Formats: {formats}; at most {mb} MB."),
    "impor.status.dimuat": Text("dimuat (tepercaya)", "loaded (trusted)"),
    "impor.undo.target": Text("Yang akan dibatalkan: impor {what}.",
                              "An undo would reverse import {what}."),
    "impor.undo.none": Text("Belum ada impor yang bisa dibatalkan.", "There is no import to undo."),
    "impor.undo.confirm": Text(
        "Batalkan impor {what}? Data kembali seperti sebelum impor itu.",
        "Undo import {what}? The data goes back to how it was before that import.",
    ),
    "impor.undo.yes": Text("Ya, batalkan", "Yes, undo it"),
    "impor.undo.no": Text("Tidak", "No, keep it"),
    "impor.undo.kept": Text("Tidak ada yang dibatalkan.", "Nothing was undone."),
    # the lokakarya mini presentation, its deck page and exports (issue 11)
    "nav.presentasi": Text("Presentasi", "Presentation"),
    "pres.outside.title": Text("Wilayah di luar cakupan", "Region outside your scope"),
    "pres.menu.map": Text("Kembali ke peta (Esc)", "Back to the map (Esc)"),
    "pres.menu.deck": Text("Atur slide dan unduh", "Arrange slides and download"),
    "pres.auto": Text("Putar otomatis", "Auto-advance"),
    "pres.auto.off": Text("Mati", "Off"),
    "pres.auto.seconds": Text("tiap {n} detik", "every {n} seconds"),
    "pres.fullscreen": Text("Layar penuh (F)", "Full screen (F)"),
    "pres.keys": Text(
        "→, PageDown, spasi: berikutnya · ←, PageUp: sebelumnya · Home/End: awal/akhir · "
        "F: layar penuh · Esc: keluar ke peta",
        "→, PageDown, space: next · ←, PageUp: previous · Home/End: first/last · "
        "F: full screen · Esc: leave to the map",
    ),
    "pres.loading": Text("Menyiapkan slide {name} dari basis data…",
                         "Preparing the slides of {name} from the database…"),
    "pres.empty": Text("Semua slide disembunyikan. Atur daftar slide dulu.",
                       "Every slide is hidden. Arrange the slide list first."),
    "pres.map.hint": Text("Klik sebuah kecamatan untuk memperbesarnya.",
                          "Click a sub-district to zoom into it."),
    "pres.map.back": Text("Kembali ke {name}", "Back to {name}"),
    "pres.notes.who.hint": Text("mis. Bidan desa", "e.g. village midwife"),
    "pres.notes.what.hint": Text("mis. Kunjungan rumah balita diare",
                                 "e.g. home visits to children with diarrhoea"),
    "pres.notes.add": Text("Tambah baris", "Add a row"),
    "pres.notes.save": Text("Simpan notulen", "Save the minutes"),
    "pres.notes.empty": Text("Baris kosong tidak disimpan.", "Empty rows are not saved."),
    "pres.notes.saved": Text("Notulen disimpan: {n} tindakan (pukul {time}).",
                             "Minutes saved: {n} actions (at {time})."),
    "pres.notes.unsaved": Text(
        "Notulen belum disimpan. Tekan Esc sekali lagi untuk keluar tanpa menyimpan.",
        "The minutes are not saved. Press Esc once more to leave without saving.",
    ),
    "dek.title": Text("Presentasi lokakarya mini", "Lokakarya mini presentation"),
    "dek.intro": Text(
        "Pilih wilayah dan minggu, atur slide, lalu mulai presentasi. Angka dibaca langsung "
        "dari basis data saat presentasi dibuka.",
        "Choose the region and week, arrange the slides, then start the presentation. The "
        "numbers are read from the database when the presentation opens.",
    ),
    "dek.region": Text("Wilayah", "Region"),
    "dek.start": Text("Mulai presentasi", "Start the presentation"),
    "dek.slides": Text("Daftar slide", "Slide list"),
    "dek.slides.hint": Text(
        "Centang slide yang ditampilkan; ubah urutan dengan tombol panah. Simpan agar "
        "presentasi wilayah ini memakai daftar ini.",
        "Tick the slides to show; change the order with the arrow buttons. Save so that this "
        "region's presentation uses this list.",
    ),
    "dek.up": Text("Naikkan", "Move up"),
    "dek.down": Text("Turunkan", "Move down"),
    "dek.save": Text("Simpan daftar slide", "Save the slide list"),
    "dek.reset": Text("Kembalikan ke bawaan", "Back to the default"),
    "dek.saved": Text("Daftar slide disimpan: {n} dari {total} slide ditampilkan.",
                      "Slide list saved: {n} of {total} slides shown."),
    "dek.reset.done": Text("Daftar slide kembali ke bawaan.",
                           "The slide list is back to the default."),
    "export.title": Text("Unduh untuk yang tidak hadir", "Download for those not present"),
    "export.intro": Text(
        "Slide yang sama sebagai dokumen: PowerPoint, PDF, atau ringkasan satu halaman A4 "
        "per kecamatan, untuk wilayah dan minggu di atas dengan daftar slide yang tersimpan.",
        "The same slides as a document: PowerPoint, PDF, or a one-page A4 summary per "
        "sub-district, for the region and week above with the saved slide list.",
    ),
    "export.suppress": Text("Sembunyikan angka kecil (< {n})", "Hide small numbers (< {n})"),
    "export.suppress.help": Text(
        "Jumlah kasus per desa dari 1 sampai {top} ditulis \u201c< {n}\u201d agar tidak ada "
        "keluarga yang bisa dikenali dari dokumen yang dibawa keluar kantor.",
        "Case counts per village from 1 to {top} are written \u201c< {n}\u201d so that no "
        "family can be singled out from a document that leaves the office.",
    ),
    "export.pptx": Text("Unduh PPTX", "Download PPTX"),
    "export.pdf": Text("Unduh PDF", "Download PDF"),
    "export.a4": Text("Unduh ringkasan A4 per kecamatan",
                      "Download the A4 summary per sub-district"),
    "export.cancel": Text("Batal", "Cancel"),
    "export.starting": Text("Menyiapkan dokumen…", "Preparing the document…"),
    "export.progress": Text("Langkah {done} dari {total}", "Step {done} of {total}"),
    "export.error": Text("Ekspor gagal; lihat log server.",
                         "The export failed; see the server log."),
    "export.done": Text("Selesai: {file} ({size}).", "Done: {file} ({size})."),
    "export.cancelled": Text("Ekspor dibatalkan.", "Export cancelled."),
    "nodata": Text(
        "Belum ada data. Jalankan `pws load-demo`.", "No data yet. Run `pws load-demo`."
    ),
}


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string ``key`` in ``lang``; ``values`` fill ``{placeholders}``."""
    text = CATALOGUE[key](lang)
    return text.format(**values) if values else text


def query_param(search: object, name: str, default: str, allowed: Iterable[str]) -> str:
    """One parameter of a URL query string (``?lang=en``), or ``default`` if not allowed
    (or if ``search`` is not a string at all: a crafted request)."""
    text = search if isinstance(search, str) else ""
    asked = parse_qs(text.lstrip("?")).get(name, [default])[0]
    return asked if asked in set(allowed) else default


def lang_of(value: object) -> str:
    """A language a callback received from the page (``lang`` store): ``id`` unless ``en``."""
    return "en" if value == "en" else DEFAULT_LANG


def lang_from_search(search: object) -> str:
    """The language asked for in a URL query string (``?lang=en``), else Indonesian."""
    return query_param(search, "lang", DEFAULT_LANG, LANGS)


#: month abbreviations, January first
MONTHS = Text("Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
              "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")  # fmt: skip


def fmt_date(d, lang: str = DEFAULT_LANG) -> str:  # noqa: ANN001 - a datetime.date
    """``3 Jan 2025`` / ``3 Agu 2025``."""
    return f"{d.day} {MONTHS(lang).split()[d.month - 1]} {d.year}"
