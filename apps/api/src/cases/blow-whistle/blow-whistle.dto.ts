import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsLatitude,
  IsLongitude,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CATEGORIES, type Category } from '@chuishao/domain';

export class LocationDto {
  @IsString() @IsNotEmpty() @MaxLength(200) address!: string;
  @IsOptional() @IsString() @MaxLength(64) grid?: string;
  // IsLatitude alone takes numeric strings too; the API takes the JSON number it documents.
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsLatitude() lat?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsLongitude() lng?: number;
}

export class BlowWhistleDto {
  @IsString() @IsNotEmpty() @MaxLength(120) title!: string;
  @IsString() @IsNotEmpty() @MaxLength(4000) description!: string;
  /** Optional with a matterCode: the catalogue matter's category applies. */
  @ValidateIf((o: BlowWhistleDto) => o.matterCode === undefined || o.category !== undefined)
  @IsIn(CATEGORIES)
  category?: Category;
  /** Optional with a matterCode: the catalogue names the responsible departments. */
  @ValidateIf((o: BlowWhistleDto) => o.matterCode === undefined || o.departmentIds !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { each: true, message: 'each entry must be an org id' })
  departmentIds?: string[];
  // @ValidateNested alone lets a missing location through, and an array ([] validates as "each element").
  @IsDefined() @IsObject() @ValidateNested() @Type(() => LocationDto) location!: LocationDto;
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9.-]{1,32}$/, { message: 'matterCode must be a catalogue code' }) matterCode?: string;
  @IsOptional() @IsString() @MaxLength(128) sourceRef?: string;
  /** 牵头: one of the departments; default the first. */
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'leadDepartmentId must be an org id' }) leadDepartmentId?: string;
}
