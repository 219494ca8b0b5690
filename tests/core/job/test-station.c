/* test-station.c — who a station takes, one rule set for both faces
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The jobs here fail at once (their port does not exist): what is tested
 * is which phones get one, the events, and when the station says idle.
 */

#include "config.h"

#include "sf-station.h"
#include "sf-test-util.h"

typedef struct {
  SfDaFile  *da;
  GPtrArray *refused;    /* SfStationRefusal, as guint */
  guint      added;
  guint      finished;
  guint      events;
  gboolean   idle;
} Fixture;

static SfFlashJob *
make_job (SfUsbDevice *device,
          gpointer     user_data)
{
  Fixture *f = user_data;

  return sf_flash_job_new ("/nonexistent/scatterflash-test-port", f->da);
}

static void
on_added (SfStation *station, SfStationPhone *p, gpointer user_data)
{
  ((Fixture *) user_data)->added++;
}

static void
on_refused (SfStation *station, SfUsbDevice *device, guint why, gpointer user_data)
{
  g_ptr_array_add (((Fixture *) user_data)->refused, GUINT_TO_POINTER (why));
}

static void
on_event (SfStation *station, SfStationPhone *p, const SfEvent *e, gpointer user_data)
{
  ((Fixture *) user_data)->events++;
}

static void
on_finished (SfStation *station, SfStationPhone *p, gpointer user_data)
{
  ((Fixture *) user_data)->finished++;
}

static void
on_idle (SfStation *station, gpointer user_data)
{
  ((Fixture *) user_data)->idle = TRUE;
}

static SfStation *
new_station (Fixture *f)
{
  g_autoptr(GFile) da_file = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autoptr(GError) error = NULL;
  SfStation *station;

  f->da = sf_da_file_new (da_file, NULL, &error);
  ck_assert_msg (f->da != NULL, "%s", error ? error->message : "");
  f->refused = g_ptr_array_new ();
  station = sf_station_new (make_job, f, NULL);
  g_signal_connect (station, "phone-added", G_CALLBACK (on_added), f);
  g_signal_connect (station, "phone-refused", G_CALLBACK (on_refused), f);
  g_signal_connect (station, "phone-event", G_CALLBACK (on_event), f);
  g_signal_connect (station, "phone-finished", G_CALLBACK (on_finished), f);
  g_signal_connect (station, "idle", G_CALLBACK (on_idle), f);
  return station;
}

static void
fixture_clear (Fixture *f)
{
  g_clear_object (&f->da);
  g_clear_pointer (&f->refused, g_ptr_array_unref);
}

static void
wait_for (SfStation *station,
          guint     *counter,
          guint      want)
{
  gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*counter < want && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_uint_eq (*counter, want);
}

/* A real phone is taken once; its socket is not taken again while its job
 * runs, nor right after (it is restarting); a powered-on phone is refused
 * with its reason; a virtual phone is taken every time it comes. */
START_TEST (test_who_is_taken)
{
  Fixture f = { 0 };
  g_autoptr(SfStation) station = new_station (&f);
  g_autoptr(SfUsbDevice) phone = sf_usb_device_new (0x0E8D, 0x2000, SF_USB_DEVICE_KIND_PRELOADER, 1, 5, "1-2",
                                                    "/nonexistent");
  g_autoptr(SfUsbDevice) android = sf_usb_device_new (0x0E8D, 0x201D, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON, 1, 6,
                                                      "1-3", "/nonexistent");
  g_autoptr(SfUsbDevice) virt = sf_usb_device_new_virtual ("42", "/nonexistent", SF_BROM_MODE_PRELOADER, "MT6572");
  SfStationPhone *p;

  sf_station_add_device (station, android);
  ck_assert_uint_eq (f.refused->len, 1);
  ck_assert_uint_eq (GPOINTER_TO_UINT (g_ptr_array_index (f.refused, 0)), SF_STATION_REFUSED_POWERED_ON);
  ck_assert_uint_eq (f.added, 0);

  sf_station_add_device (station, phone);
  sf_station_add_device (station, phone);   /* re-enumerated mid-job */
  ck_assert_uint_eq (f.added, 1);
  ck_assert_uint_eq (sf_station_get_n_running (station), 1);
  wait_for (station, &f.finished, 1);
  p = sf_station_get_phone (station, 0);
  ck_assert_uint_eq (p->number, 1);
  ck_assert_int_eq (sf_job_progress_get_state (p->progress), SF_JOB_STATE_FAILED);
  ck_assert_uint_gt (f.events, 0);
  ck_assert (!f.idle);      /* no limit: the station goes on taking phones */

  sf_station_add_device (station, phone);   /* back within the guard */
  ck_assert_uint_eq (f.added, 1);
  ck_assert_uint_eq (GPOINTER_TO_UINT (g_ptr_array_index (f.refused, 1)), SF_STATION_REFUSED_JUST_FLASHED);

  sf_station_add_device (station, virt);
  wait_for (station, &f.finished, 2);
  sf_station_add_device (station, virt);
  wait_for (station, &f.finished, 3);
  ck_assert_uint_eq (f.added, 3);
  ck_assert_uint_eq (sf_station_get_phone (station, 2)->number, 3);

  sf_station_remove_device (station, phone);
  ck_assert (!sf_station_get_phone (station, 0)->present);
  sf_station_stop (station);
  ck_assert (f.idle);
  fixture_clear (&f);
}
END_TEST

/* With a limit, the station closes once that many phones were taken and
 * says idle when the last one ended. */
START_TEST (test_limit_and_idle)
{
  Fixture f = { 0 };
  g_autoptr(SfStation) station = new_station (&f);

  sf_station_set_limit (station, 2);
  for (guint i = 0; i < 3; i++) {
    g_autofree char *id = g_strdup_printf ("%u", i);
    g_autoptr(SfUsbDevice) virt = sf_usb_device_new_virtual (id, "/nonexistent", SF_BROM_MODE_BROM, NULL);

    sf_station_add_device (station, virt);
  }
  ck_assert_uint_eq (f.added, 2);
  ck_assert (sf_station_is_closed (station));
  ck_assert (!f.idle);
  wait_for (station, &f.finished, 2);
  ck_assert (f.idle);
  ck_assert_uint_eq (sf_station_get_n_running (station), 0);
  fixture_clear (&f);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("station");
  TCase *tc = tcase_create ("rules");

  tcase_add_test (tc, test_who_is_taken);
  tcase_add_test (tc, test_limit_and_idle);
  suite_add_tcase (s, tc);
  return sf_test_run_suite (s);
}
