import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { User } from './user.entity';

@Entity('user_scopes')
export class UserScopeEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ name: 'programme_id', type: 'uuid' }) programmeId: string;
  @Column({ name: 'thematic_area_id', type: 'uuid', nullable: true }) thematicAreaId: string | null;
  @ManyToOne(() => User, (u) => u.scopes, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;
}
