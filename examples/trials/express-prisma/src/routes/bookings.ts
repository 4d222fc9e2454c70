import { Router } from "express";
import { z } from "zod";
import { prisma } from "../db";

export const bookingsRouter = Router();

const BookingInput = z.object({
  doctorId: z.number().int(),
  patientId: z.number().int(),
  startsAt: z.coerce.date(),
  endsAt: z.coerce.date(),
  notes: z.string().optional(),
});

bookingsRouter.get("/", async (req, res) => {
  const doctorId = Number(req.query.doctorId);
  const from = new Date(String(req.query.from));
  const to = new Date(String(req.query.to));
  const bookings = await prisma.booking.findMany({
    where: { doctorId, startsAt: { gte: from, lt: to } },
    orderBy: { startsAt: "asc" },
  });
  const result = [];
  for (const b of bookings) {
    const patient = await prisma.patient.findUnique({ where: { id: b.patientId } });
    result.push({ ...b, patientName: patient?.fullName });
  }
  res.json(result);
});

bookingsRouter.post("/", async (req, res) => {
  const parsed = BookingInput.safeParse(req.body);
  if (!parsed.success) return res.status(400).json(parsed.error);
  const { doctorId, startsAt, endsAt } = parsed.data;

  const booking = await prisma.$transaction(async (tx) => {
    const clash = await tx.booking.findFirst({
      where: {
        doctorId,
        status: { in: ["SCHEDULED", "CONFIRMED"] },
        startsAt: { lt: endsAt },
        endsAt: { gt: startsAt },
      },
    });
    if (clash) return null;
    return tx.booking.create({ data: parsed.data });
  });
  if (!booking) return res.status(409).json({ error: "slot taken" });
  res.status(201).json(booking);
});

bookingsRouter.post("/:id/cancel", async (req, res) => {
  const booking = await prisma.booking.update({
    where: { id: Number(req.params.id) },
    data: { status: "CANCELLED" },
  });
  res.json(booking);
});

bookingsRouter.post("/:id/payments", async (req, res) => {
  const { amountCents, provider, externalId } = req.body;
  const payment = await prisma.payment.create({
    data: { bookingId: Number(req.params.id), amountCents, provider, externalId },
  });
  await prisma.booking.update({ where: { id: payment.bookingId }, data: { status: "CONFIRMED" } });
  res.status(201).json(payment);
});
